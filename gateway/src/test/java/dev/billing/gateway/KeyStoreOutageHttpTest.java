package dev.billing.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.billing.gateway.client.Decision;
import dev.billing.gateway.openai.RecordingUsageSink;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/** A gateway whose keys cannot be checked neither serves nor refuses as unknown: 503, retry. */
class KeyStoreOutageHttpTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void answers503WithRetryAfterAndBillsNothing() throws Exception {
        RecordingUsageSink usage = new RecordingUsageSink();
        Authenticator down = header -> {
            throw new Authenticator.Unavailable("PostgreSQL is down", new SQLException("refused"));
        };
        try (GatewayServer server = GatewayServer.start(down, account -> Decision.UNKNOWN_ACCOUNT, usage,
                GatewaySettings.local("node-test"), null)) {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(server.chatCompletionsUri())
                            .header("Authorization", "Bearer sk-live-anything")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"messages\":[]}")).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.headers().firstValue("Retry-After")).contains("1");
            JsonNode error = JSON.readTree(r.body()).get("error");
            assertThat(error.get("type").asText()).isEqualTo("server_error");
            assertThat(error.get("message").asText()).contains("retry");
            assertThat(usage.records).isEmpty();
        }
    }
}
