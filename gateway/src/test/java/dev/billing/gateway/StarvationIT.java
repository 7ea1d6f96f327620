package dev.billing.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.billing.gateway.client.Decision;
import dev.billing.gateway.limits.AccountLimits;
import dev.billing.gateway.openai.ChatCompletionsHandler;
import dev.billing.gateway.openai.RecordingUsageSink;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One account cannot starve another. The gateway as {@code bin/billing gateway} runs it (16 handler
 * threads, the default HTTP and account limits, the default streaming pace) while one account opens
 * 64 streams with a huge {@code max_tokens} and never reads them, 32 sockets send their headers
 * a byte a second and 16 their bodies; another account's small requests, one every 150 ms, are all answered, about as
 * fast as without the attack.
 */
class StarvationIT {
    private static final Duration PHASE = Duration.ofSeconds(20);
    private static final Duration BASELINE = Duration.ofSeconds(10);
    private static final long INTERVAL_MS = 150;
    private static final int ATTACK_STREAMS = 64;
    private static final int SLOW_HEADER_SOCKETS = 32;
    private static final int SLOW_BODY_SOCKETS = 16;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String SMALL = "{\"model\":\"llama-3.1-8b\",\"max_tokens\":16,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}";
    private static final String HUGE_STREAM = "{\"model\":\"llama-3.1-8b\",\"max_tokens\":100000,\"stream\":true,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}";

    private final RecordingUsageSink usage = new RecordingUsageSink();
    private final List<Socket> attackers = Collections.synchronizedList(new ArrayList<>());
    private final ScheduledExecutorService clock = Executors.newScheduledThreadPool(2);
    private GatewayServer server;

    @BeforeEach
    void start() throws Exception {
        GatewaySettings asTheCommandRunsIt = new GatewaySettings("127.0.0.1", 0, "node-starvation", "llama-3.1-8b",
                GatewaySettings.PRICING_PAGE_MODELS, 128, 16).withAccountLimits(AccountLimits.DEFAULTS);
        server = GatewayServer.start(GatewayServer.demoAccountKeys(), id -> Decision.UNKNOWN_ACCOUNT, usage,
                asTheCommandRunsIt, null);
    }

    @AfterEach
    void stop() throws Exception {
        clock.shutdownNow();
        for (Socket s : attackers) {
            s.close();
        }
        server.close();
    }

    @Test
    void anAccountThatNeverReadsItsStreamsAndSlowHeadersStarveNoOne() throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
        victim(http, Duration.ofSeconds(2)); // warm-up: the first requests load and compile the code paths
        Latencies baseline = victim(http, BASELINE);

        // one account's 64 streams, each read up to its status line only
        List<Socket> streams = new ArrayList<>();
        for (int i = 0; i < ATTACK_STREAMS; i++) {
            Socket s = attacker();
            s.getOutputStream().write(("POST " + ChatCompletionsHandler.PATH + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Authorization: Bearer sk-acct-attacker\r\nContent-Type: application/json\r\nContent-Length: "
                    + HUGE_STREAM.length() + "\r\n\r\n" + HUGE_STREAM).getBytes(StandardCharsets.US_ASCII));
            streams.add(s);
        }
        int streaming = 0;
        int limited = 0;
        for (Socket s : streams) {
            String status = statusLine(s);
            if (status.startsWith("HTTP/1.1 200")) {
                streaming++;
            } else if (status.startsWith("HTTP/1.1 429")) {
                limited++;
            }
        }
        assertThat(streaming).as("streams in flight: the account's concurrency limit")
                .isEqualTo(AccountLimits.DEFAULT_MAX_CONCURRENT_REQUESTS);
        assertThat(limited).isEqualTo(ATTACK_STREAMS - AccountLimits.DEFAULT_MAX_CONCURRENT_REQUESTS);

        // and headers a byte a second, on sockets that never finish them
        List<OutputStream> slow = new ArrayList<>();
        for (int i = 0; i < SLOW_HEADER_SOCKETS; i++) {
            slow.add(attacker().getOutputStream());
        }
        List<OutputStream> slowBodies = new ArrayList<>();
        for (int i = 0; i < SLOW_BODY_SOCKETS; i++) {
            OutputStream out = attacker().getOutputStream();
            out.write(("POST " + ChatCompletionsHandler.PATH + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer"
                    + " sk-acct-attacker\r\nContent-Type: application/json\r\nContent-Length: 4096\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            slowBodies.add(out);
        }
        byte[] trickle = ("POST " + ChatCompletionsHandler.PATH + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "
                + "z".repeat(4096)).getBytes(StandardCharsets.US_ASCII);
        int[] sent = {0};
        clock.scheduleAtFixedRate(() -> {
            for (OutputStream out : slow) {
                trickle(out, trickle[Math.min(sent[0], trickle.length - 1)]);
            }
            for (OutputStream out : slowBodies) {
                trickle(out, ' ');
            }
            sent[0]++;
        }, 0, 1, TimeUnit.SECONDS);

        Latencies attacked = victim(http, PHASE);

        System.out.printf("STARVATION: baseline %d requests p50 %d ms p99 %d ms max %d ms; under attack (%d streams"
                + " never read, %d of them in flight, %d sockets sending headers and %d bodies a byte a second) %d"
                + " requests p50 %d ms p99 %d ms max %d ms%n", baseline.count(), baseline.percentile(50),
                baseline.percentile(99), baseline.max(), ATTACK_STREAMS, streaming, SLOW_HEADER_SOCKETS, SLOW_BODY_SOCKETS,
                attacked.count(), attacked.percentile(50),
                attacked.percentile(99), attacked.max());
        assertThat(attacked.percentile(99)).as("p99 under attack, ms").isLessThan(1000);
        assertThat(attacked.percentile(50)).as("p50 under attack against the baseline's, ms")
                .isLessThan(baseline.percentile(50) + 200);
        assertThat(server.metrics().rateLimited()).isEqualTo(limited);
    }

    private static void trickle(OutputStream out, int b) {
        try {
            out.write(b);
            out.flush();
        } catch (IOException e) {
            // cut off by the gateway: it owes a trickle nothing
        }
    }

    private Socket attacker() throws IOException {
        Socket s = new Socket();
        // a small window: the gateway's writes stall after a few KB, as with a client that never reads
        s.setReceiveBufferSize(4096);
        s.connect(new InetSocketAddress("127.0.0.1", server.port()));
        attackers.add(s);
        return s;
    }

    private static String statusLine(Socket s) throws IOException {
        s.setSoTimeout((int) TIMEOUT.toMillis());
        InputStream in = s.getInputStream();
        StringBuilder line = new StringBuilder();
        for (int b = in.read(); b != -1 && b != '\n'; b = in.read()) {
            line.append((char) b);
        }
        return line.toString().trim();
    }

    /** Another account's small requests, one every {@link #INTERVAL_MS} for {@code length}: each must be answered 200. */
    private Latencies victim(HttpClient http, Duration length) throws Exception {
        List<CompletableFuture<Long>> answers = Collections.synchronizedList(new ArrayList<>());
        HttpRequest request = HttpRequest.newBuilder(server.chatCompletionsUri()).timeout(TIMEOUT)
                .header("Authorization", "Bearer sk-acct-victim").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(SMALL)).build();
        var sending = clock.scheduleAtFixedRate(() -> {
            long sentAt = System.nanoTime();
            answers.add(http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(r -> {
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                return (System.nanoTime() - sentAt) / 1_000_000;
            }));
        }, 0, INTERVAL_MS, TimeUnit.MILLISECONDS);
        Await.until("the phase's end", length.plusSeconds(5), () -> answers.size() >= length.toMillis() / INTERVAL_MS);
        sending.cancel(false);
        List<Long> ms = new ArrayList<>();
        for (CompletableFuture<Long> answer : List.copyOf(answers)) {
            ms.add(answer.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        }
        return new Latencies(ms);
    }

    private record Latencies(List<Long> ms) {
        Latencies {
            ms = ms.stream().sorted().toList();
        }

        int count() {
            return ms.size();
        }

        long percentile(int p) {
            return ms.get(Math.min(ms.size() - 1, (int) Math.ceil(p / 100.0 * ms.size()) - 1));
        }

        long max() {
            return ms.get(ms.size() - 1);
        }
    }
}
