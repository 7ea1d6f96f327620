package dev.billing.bench.measure;

import dev.billing.bench.report.BenchResult;
import dev.billing.gateway.DatabaseOptions;
import dev.billing.gateway.GatewayDoor;
import dev.billing.gateway.GatewayServer;
import dev.billing.gateway.GatewaySettings;
import dev.billing.gateway.client.Decision;
import dev.billing.gateway.client.PaymentRequiredBody;
import dev.billing.gateway.openai.UsageRecord;
import dev.billing.gateway.openai.UsageSink;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Properties;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;

/**
 * What the gateway's door adds to a request's latency: the same small request, one at a time,
 * alternately through a gateway with the door (its worst case held in PostgreSQL, its usage forced
 * to the journal's disk before the answer) and through one without (held in memory, usage
 * dropped), side by side in one run so that the machine's noise falls on both.
 */
public final class AdmissionLatency {
    private static final String REQUEST = "{\"model\":\"llama-3.1-8b\",\"max_tokens\":9,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"abcd\"}]}";

    private AdmissionLatency() {}

    /** A sink that drops what it is given: the gateway without a journal. */
    private static final class Dropped implements UsageSink {
        @Override
        public void record(UsageRecord record, BigDecimal costUsd) {}

        @Override
        public boolean accepting() {
            return true;
        }

        @Override
        public long undelivered() {
            return 0;
        }

        @Override
        public void close() {}
    }

    public static BenchResult.Admission measure(String bootstrap, String usageTopic, DatabaseOptions database,
            Path journal, int requests, Consumer<String> out) throws Exception {
        GatewaySettings settings = GatewaySettings.local("bench-admission");
        try (GatewayDoor door = GatewayDoor.open(new GatewayDoor.Settings(bootstrap, usageTopic, "rate-cards",
                        new Properties(), database, new BigDecimal("5.00"), "bench-admission", journal, 1_000_000),
                        account -> null);
                GatewayServer withDoor = GatewayServer.start(GatewayServer.demoAccountKeys(), a -> Decision.UNKNOWN_ACCOUNT,
                        door.usage(), settings, null, null, door.admission(), new PaymentRequiredBody());
                GatewayServer bare = GatewayServer.start(GatewayServer.demoAccountKeys(), a -> Decision.UNKNOWN_ACCOUNT,
                        new Dropped(), settings, null)) {
            HttpClient http = HttpClient.newHttpClient();
            Histogram doorUs = new Histogram(60_000_000L, 3);
            Histogram bareUs = new Histogram(60_000_000L, 3);
            int warmUp = requests / 10;
            for (int i = 0; i < warmUp + requests; i++) {
                // a fresh account every 100 requests: no job runs here to publish balances that cover the
                // delivered ones, so each account's holds stay few, as a running job keeps them
                String account = "acct-bench-admission-" + i / 100;
                long door1 = time(http, withDoor.chatCompletionsUri(), account);
                long bare1 = time(http, bare.chatCompletionsUri(), account);
                if (i >= warmUp) {
                    doorUs.recordValue(door1);
                    bareUs.recordValue(bare1);
                }
                if ((i + 1) % 1_000 == 0) {
                    out.accept(String.format("  %,d of %,d request pairs", i + 1, warmUp + requests));
                }
            }
            BenchResult.Admission a = new BenchResult.Admission();
            a.requestsEach = requests;
            a.bareP50Ms = bareUs.getValueAtPercentile(50) / 1e3;
            a.bareP99Ms = bareUs.getValueAtPercentile(99) / 1e3;
            a.doorP50Ms = doorUs.getValueAtPercentile(50) / 1e3;
            a.doorP99Ms = doorUs.getValueAtPercentile(99) / 1e3;
            return a;
        }
    }

    private static long time(HttpClient http, URI uri, String account) throws Exception {
        long started = System.nanoTime();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer sk-" + account)
                .POST(HttpRequest.BodyPublishers.ofString(REQUEST)).build(), HttpResponse.BodyHandlers.ofString());
        long micros = (System.nanoTime() - started) / 1_000;
        if (r.statusCode() != 200) {
            throw new IllegalStateException("the admission phase's request was answered " + r.statusCode() + ": " + r.body());
        }
        return micros;
    }
}
