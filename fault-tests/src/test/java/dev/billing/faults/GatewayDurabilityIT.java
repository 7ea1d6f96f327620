package dev.billing.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.billing.it.Billed;
import dev.billing.it.PipelineFixture;
import dev.billing.job.JobOptions;
import java.math.BigDecimal;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Served means billed, through the faults a gateway meets: {@code bin/billing gateway} as a
 * process of its own serves one account's client while the broker is down for longer than the
 * producer's delivery timeout, then while it is down again the gateway is killed with
 * {@code kill -9}, the broker comes back and the gateway is started again on its journal. Every
 * request the client was answered 200 is billed by the real job exactly once, count and money
 * checked against the client's own log; no request waits for the broker.
 */
class GatewayDurabilityIT {
    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ACCOUNT = "acct-durable";
    /** llama-3.1-8b, one prompt token and 999 completion tokens: 1,000 tokens at $0.05 per million. */
    private static final String REQUEST = "{\"model\":\"llama-3.1-8b\",\"max_tokens\":999,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"abcd\"}]}";
    private static final BigDecimal USD_PER_TOKEN = new BigDecimal("0.00000005");
    /** Far below the producer's default two minutes, so that the outages outlast it. */
    private static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(4);

    private static PipelineFixture fixture;

    @BeforeAll
    static void startServices() throws Exception {
        fixture = new PipelineFixture();
    }

    @AfterAll
    static void stopServices() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    /** The client: a request every 20 ms; what each 200 said it used, by request id; the slowest answer. */
    private static final class Client implements Runnable {
        final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        final URI uri;
        final Map<String, Long> answered = new ConcurrentHashMap<>();
        final AtomicLong refused = new AtomicLong();
        final AtomicLong slowestMs = new AtomicLong();
        volatile boolean running = true;

        Client(int port) {
            uri = URI.create("http://127.0.0.1:" + port + "/v1/chat/completions");
        }

        @Override
        public void run() {
            while (running) {
                call();
                try {
                    Thread.sleep(20); // the client's pace, not a wait for a condition
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        /** One request; a 200 goes into the log. True when answered 200. */
        boolean call() {
            long started = System.nanoTime();
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                        .header("Authorization", "Bearer sk-" + ACCOUNT).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(REQUEST)).build(), HttpResponse.BodyHandlers.ofString());
                slowestMs.accumulateAndGet((System.nanoTime() - started) / 1_000_000, Math::max);
                if (r.statusCode() == 200) {
                    JsonNode body = JSON.readTree(r.body());
                    answered.put(body.get("id").asText(), body.at("/usage/total_tokens").asLong());
                    return true;
                }
                refused.incrementAndGet();
            } catch (Exception e) {
                refused.incrementAndGet(); // the gateway is down, or died before answering
            }
            return false;
        }

        BigDecimal answeredUsd() {
            return USD_PER_TOKEN.multiply(BigDecimal.valueOf(answered.values().stream().mapToLong(Long::longValue).sum()));
        }
    }

    @Test
    void everyRequestAnswered200IsBilledOnceThroughABrokerOutageAndAKillOfTheGateway() throws Exception {
        JobOptions options = fixture.options("fault_gateway_durable");
        JobClient job = PipelineFixture.start(options, "gateway-durability");
        Path dir = Files.createTempDirectory(Files.createDirectories(Paths.get(System.getProperty("java.io.tmpdir"))),
                "gateway-durable");
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        List<String> gatewayArgs = List.of("gateway", "--bootstrap-servers", options.bootstrapServers,
                "--jdbc-url", options.jdbcUrl, "--jdbc-user", fixture.postgres.user,
                "--jdbc-password", fixture.postgres.password, "--host", "127.0.0.1", "--port", Integer.toString(port),
                "--node-id", "gw-durable", "--usage-journal", dir.resolve("journal").toString(),
                "--insecure-demo-account-keys", "--bootstrap-timeout", "5s",
                // the client sends up to 50 requests a second, over the default 600 a minute
                "--account-rate-limit", ACCOUNT + "=60000",
                "--kafka-property", "delivery.timeout.ms=" + DELIVERY_TIMEOUT.toMillis(),
                "--kafka-property", "request.timeout.ms=" + DELIVERY_TIMEOUT.toMillis() / 2);
        Process gateway = CliProcess.start(dir, "gateway", gatewayArgs);
        Client client = new Client(port);
        Thread clientThread = new Thread(client, "durability-client");
        try {
            PipelineFixture.awaitTrue("the gateway serves", client::call);
            clientThread.start();
            awaitMoreAnswers(client, 50);

            // the broker is down for longer than the delivery timeout: served from the journal, never waiting
            fixture.kafka.stop();
            long answeredInOutage = awaitOutage(client, DELIVERY_TIMEOUT.multipliedBy(2), 50);
            fixture.kafka.start();
            awaitMoreAnswers(client, 50);

            // down again, and the gateway killed with records it has not delivered; then both back
            fixture.kafka.stop();
            awaitOutage(client, Duration.ZERO, 50);
            gateway.destroyForcibly().waitFor(); // SIGKILL: nothing of the process's own runs
            long answeredAtKill = client.answered.size();
            fixture.kafka.start();
            gateway = CliProcess.start(dir, "gateway", gatewayArgs);
            awaitMoreAnswers(client, 50);
            client.running = false;
            clientThread.join();

            BigDecimal answeredUsd = client.answeredUsd();
            long answered = client.answered.size();
            Billed billed = new Billed(options, fixture.postgres);
            // every request answered 200 reached the topic, and the job billed each request id on it once
            PipelineFixture.awaitTrue("every request answered 200 on " + options.usageTopic,
                    () -> requestIds(options).containsAll(client.answered.keySet()));
            Set<String> delivered = requestIds(options);
            PipelineFixture.awaitEqual("each request on the topic billed once: count and money",
                    () -> delivered.size() + " requests, $" + usd(USD_PER_TOKEN.multiply(BigDecimal.valueOf(1_000L * delivered.size()))),
                    () -> billed.requests(ACCOUNT) + " requests, $" + usd(billed.spendUsd(ACCOUNT)), TIMEOUT);
            // beyond the answered ones, at most the request in flight when the gateway was killed: its usage
            // was durable and its answer lost with the process, billed as served (as a client hanging up after the content)
            long lostWithTheProcess = delivered.size() - answered;
            assertThat(lostWithTheProcess).as("requests billed that the client was not answered").isBetween(0L, 1L);
            assertThat(answeredUsd.add(USD_PER_TOKEN.multiply(BigDecimal.valueOf(1_000 * lostWithTheProcess))))
                    .isEqualByComparingTo(billed.spendUsd(ACCOUNT));
            String log = Files.readString(dir.resolve("gateway.out"));
            System.out.printf("DURABILITY: %d requests answered 200 (%d during a broker outage of %d s or more, %d"
                    + " before the kill -9), %d refused or unanswered (%d of them billed: usage durable, answer lost with"
                    + " the process); slowest answer %d ms; billed %d requests, $%s%n",
                    answered, answeredInOutage, DELIVERY_TIMEOUT.toSeconds() * 2, answeredAtKill, client.refused.get(), lostWithTheProcess,
                    client.slowestMs.get(), billed.requests(ACCOUNT), usd(billed.spendUsd(ACCOUNT)));
            assertThat(answeredInOutage).as("requests served while the broker was down").isPositive();
            assertThat(client.slowestMs.get()).as("no answer waits for the broker (ms)")
                    .isLessThan(DELIVERY_TIMEOUT.toMillis());
            assertThat(log).as("the restarted gateway delivered what the killed one left in its journal")
                    .containsPattern("\\(([1-9][0-9]*) records from a previous run delivered again\\)");
        } finally {
            client.running = false;
            gateway.destroyForcibly().waitFor();
            PipelineFixture.cancel(job);
        }
    }

    /** The distinct request ids of the account's usage records on the topic. */
    private static Set<String> requestIds(JobOptions options) {
        return fixture.client.readAll(options.usageTopic).stream()
                .filter(r -> ACCOUNT.equals(r.path("account_id").asText()))
                .map(r -> r.get("request_id").asText()).collect(Collectors.toSet());
    }

    private static String usd(BigDecimal amount) {
        return amount.stripTrailingZeros().toPlainString();
    }

    /** Waits until the client has {@code more} answers beyond those it has now. */
    private static void awaitMoreAnswers(Client client, int more) throws Exception {
        int target = client.answered.size() + more;
        PipelineFixture.awaitTrue(more + " more requests answered", () -> client.answered.size() >= target);
    }

    /**
     * Holds an outage until it has lasted {@code atLeast} and the client has been answered
     * {@code answers} requests during it; returns the answers it got meanwhile.
     */
    private static long awaitOutage(Client client, Duration atLeast, int answers) throws Exception {
        long from = client.answered.size();
        long until = System.nanoTime() + atLeast.toNanos();
        PipelineFixture.awaitTrue(answers + " answers during an outage of at least " + atLeast,
                () -> System.nanoTime() >= until && client.answered.size() - from >= answers);
        return client.answered.size() - from;
    }
}
