package dev.billing.gateway.openai;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.billing.gateway.GatewayServer;
import dev.billing.gateway.GatewaySettings;
import dev.billing.gateway.client.Decision;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code GET /v1/models} over a real socket: the served models, in the OpenAI list shape, behind a key. */
class ModelsHttpTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newHttpClient();
    private GatewayServer server;

    @BeforeEach
    void start() throws Exception {
        GatewaySettings twoModels = new GatewaySettings("127.0.0.1", 0, "node-models", "deepseek-v3",
                List.of("deepseek-v3", "llama-3.1-8b"), 16, 2);
        server = GatewayServer.start(GatewayServer.demoAccountKeys(), id -> Decision.UNKNOWN_ACCOUNT, new RecordingUsageSink(),
                twoModels, null);
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    @Test
    void listsTheServedModels() throws Exception {
        HttpResponse<String> r = get("/v1/models", "Bearer sk-acct-1");

        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode list = JSON.readTree(r.body());
        assertThat(list.get("object").asText()).isEqualTo("list");
        List<String> ids = new ArrayList<>();
        for (JsonNode m : list.get("data")) {
            ids.add(m.get("id").asText());
            assertThat(m.get("object").asText()).isEqualTo("model");
            // the default rate card's prices hold from 2000-01-01T00:00:00Z
            assertThat(m.get("created").asLong()).isEqualTo(946_684_800L);
            assertThat(m.get("owned_by").asText()).isNotBlank();
        }
        assertThat(ids).containsExactly("deepseek-v3", "llama-3.1-8b");
    }

    @Test
    void retrievesOneModelAndNotAnotherOne() throws Exception {
        HttpResponse<String> served = get("/v1/models/llama-3.1-8b", "Bearer sk-acct-1");
        HttpResponse<String> notServed = get("/v1/models/llama-3.3-70b", "Bearer sk-acct-1");

        assertThat(served.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(served.body()).get("id").asText()).isEqualTo("llama-3.1-8b");
        assertThat(notServed.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(notServed.body()).at("/error/code").asText()).isEqualTo("model_not_found");
    }

    @Test
    void wantsAKeyAndAGet() throws Exception {
        HttpResponse<String> noKey = get("/v1/models", null);
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(uri("/v1/models"))
                .header("Authorization", "Bearer sk-acct-1").POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(noKey.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(noKey.body()).at("/error/code").asText()).isEqualTo("invalid_api_key");
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).contains("GET");
        assertThat(server.metrics().rejected()).isEqualTo(2);
    }

    @Test
    void aModelWithoutAPriceIsNeitherListedNorServed() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new GatewaySettings("127.0.0.1", 0, "n", "deepseek-v3",
                List.of("deepseek-v3", "gpt-9"), 16, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no list price for gpt-9");
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    private HttpResponse<String> get(String path, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).GET();
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
