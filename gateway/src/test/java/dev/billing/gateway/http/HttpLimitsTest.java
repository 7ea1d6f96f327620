package dev.billing.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.billing.gateway.GatewayServer;
import dev.billing.gateway.GatewaySettings;
import dev.billing.gateway.client.Decision;
import dev.billing.gateway.openai.RecordingUsageSink;
import dev.billing.gateway.openai.UsageRecord;
import java.io.IOException;
import java.net.SocketException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTP limits over real sockets, with an idle timeout of 2 s rather than the 30 s default so
 * that the slow clients are cut off quickly; the defaults themselves are checked on their own.
 */
class HttpLimitsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String HELLO = "{\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}";
    private static final int THREADS = 2;
    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(2);

    private final RecordingUsageSink usage = new RecordingUsageSink();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private GatewayServer server;

    @BeforeEach
    void start() throws Exception {
        server = GatewayServer.start(GatewayServer.demoAccountKeys(), id -> Decision.UNKNOWN_ACCOUNT, usage,
                new GatewaySettings("127.0.0.1", 0, "node-limits", "llama-3.3-70b", GatewaySettings.PRICING_PAGE_MODELS,
                        8, THREADS).withHttpLimits(HttpLimits.DEFAULTS.withIdleTimeout(IDLE_TIMEOUT)), null);
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    @Test
    void clientsSendingHalfARequestDoNotHoldTheHandlerThreads() throws Exception {
        List<RawHttpClient> slow = new ArrayList<>();
        try {
            // many more than there are handler threads: half the headers of some, half the body of the others
            for (int i = 0; i < 8 * THREADS; i++) {
                RawHttpClient halfHeaders = new RawHttpClient(server.port());
                halfHeaders.sendRaw("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthor");
                slow.add(halfHeaders);
            }
            for (int i = 0; i < 8 * THREADS; i++) {
                RawHttpClient halfBody = new RawHttpClient(server.port());
                halfBody.sendRaw("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer sk-acct-slow"
                        + "\r\nContent-Type: application/json\r\nContent-Length: " + HELLO.length() + "\r\n\r\n"
                        + HELLO.substring(0, 10));
                slow.add(halfBody);
            }
            long started = System.nanoTime();
            // while they hold their sockets, a whole request is answered at once: they hold no thread
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(server.chatCompletionsUri())
                    .header("Authorization", "Bearer sk-acct-fast").timeout(TIMEOUT)
                    .POST(HttpRequest.BodyPublishers.ofString(HELLO)).build(), HttpResponse.BodyHandlers.ofString());
            long answeredMs = (System.nanoTime() - started) / 1_000_000;
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(answeredMs).as("answered before the idle timeout cut the slow ones").isLessThan(IDLE_TIMEOUT.toMillis());

            for (RawHttpClient client : slow) {
                assertThat(closedByServer(client)).as("the gateway hung up on a half request").isTrue();
            }
            long cutOffMs = (System.nanoTime() - started) / 1_000_000;
            System.out.printf("SLOW CLIENTS: %d half requests on %d handler threads; a whole request answered after %d ms;"
                    + " the half ones cut off after %d ms (idle timeout %d ms)%n", slow.size(), THREADS, answeredMs, cutOffMs,
                    IDLE_TIMEOUT.toMillis());
        } finally {
            for (RawHttpClient client : slow) {
                client.close();
            }
        }
        assertThat(usage.records).extracting(UsageRecord::accountId).containsExactly("acct-fast");
    }

    @Test
    void refusesTooManyHeadersAndTooLargeOnes() throws Exception {
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            many.append("X-Filler-").append(i).append(": x\r\n");
        }
        String large = "X-Large: " + "x".repeat(40 * 1024) + "\r\n";

        for (String headers : List.of(many.toString(), large)) {
            try (RawHttpClient client = new RawHttpClient(server.port())) {
                client.sendRaw("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer sk-acct-h\r\n"
                        + headers + "Content-Length: " + HELLO.length() + "\r\n\r\n" + HELLO);
                String status = firstLineOrNull(client);
                assertThat(status == null || status.startsWith("HTTP/1.1 4")).as("refused: %s", status).isTrue();
            }
        }
        assertThat(usage.records).isEmpty();

        HttpResponse<String> fine = http.send(HttpRequest.newBuilder(server.chatCompletionsUri())
                .header("Authorization", "Bearer sk-acct-h").header("X-Some", "x".repeat(1024))
                .POST(HttpRequest.BodyPublishers.ofString(HELLO)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(fine.statusCode()).isEqualTo(200);
    }

    @Test
    void refusesABodyOverTheLimitBeforeReadingIt() throws Exception {
        try (RawHttpClient client = new RawHttpClient(server.port())) {
            client.sendRaw("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer sk-acct-big\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + (HttpLimits.DEFAULTS.maxBodyBytes() + 1) + "\r\n\r\n{");
            assertThat(firstLineOrNull(client)).startsWith("HTTP/1.1 413");
        }
        assertThat(usage.records).isEmpty();
    }

    @Test
    void whatJettyRefusesByItselfIsAnsweredInTheErrorShapeWithoutInternals() throws Exception {
        try (RawHttpClient client = new RawHttpClient(server.port())) {
            client.sendRaw("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Large: " + "x".repeat(40 * 1024)
                    + "\r\nContent-Length: 2\r\n\r\n{}");
            StringBuilder answer = new StringBuilder();
            client.socket.setSoTimeout((int) TIMEOUT.toMillis());
            try {
                for (String line = client.readLine(); line != null; line = client.readLine()) {
                    answer.append(line).append('\n');
                }
            } catch (SocketException e) {
                // reset after the answer
            }
            assertThat(answer.toString()).startsWith("HTTP/1.1 431").contains("application/json")
                    .contains("{\"error\":{\"message\":\"Request Header Fields Too Large.\"")
                    .doesNotContain("Exception").doesNotContain("jetty");
        }
    }

    @Test
    void refusesAChunkedBodyThatGrowsOverTheLimit() throws Exception {
        byte[] body = new byte[HttpLimits.DEFAULTS.maxBodyBytes() + 1];
        java.util.Arrays.fill(body, (byte) ' ');
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(server.chatCompletionsUri())
                .header("Authorization", "Bearer sk-acct-chunked").timeout(TIMEOUT)
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body))).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).as(r.body()).isEqualTo(413);
        assertThat(r.body()).contains("request_too_large");
        assertThat(usage.records).isEmpty();
    }

    @Test
    void theDefaultsBoundHeadersBodiesAndSilence() {
        assertThat(HttpLimits.DEFAULTS.idleTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(HttpLimits.DEFAULTS.maxHeaders()).isEqualTo(64);
        assertThat(HttpLimits.DEFAULTS.maxHeaderBytes()).isEqualTo(32 * 1024);
        assertThat(HttpLimits.DEFAULTS.maxBodyBytes()).isEqualTo(4 << 20);
        assertThat(HttpLimits.DEFAULTS.withIdleTimeout(Duration.ofSeconds(5)).maxHeaders()).isEqualTo(64);
    }

    /** Whether the server closed the connection (end of stream or reset) before the deadline. */
    private static boolean closedByServer(RawHttpClient client) throws IOException {
        client.socket.setSoTimeout((int) TIMEOUT.toMillis());
        try {
            while (client.readLine() != null) {
                // whatever it says before it hangs up
            }
            return true;
        } catch (SocketException e) {
            return true; // reset
        } catch (java.net.SocketTimeoutException e) {
            return false;
        }
    }

    private static String firstLineOrNull(RawHttpClient client) throws IOException {
        client.socket.setSoTimeout((int) TIMEOUT.toMillis());
        try {
            return client.readLine();
        } catch (SocketException e) {
            return null;
        }
    }
}
