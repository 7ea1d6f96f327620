package dev.billing.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.billing.gateway.client.CutoffClientStats;
import dev.billing.gateway.http.Endpoint;
import dev.billing.gateway.http.HttpCall;
import dev.billing.gateway.openai.GatewayMetrics;
import dev.billing.gateway.openai.UsageSink;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.function.Supplier;

/**
 * {@code GET /health}: 200 while the cutoff client's copy of the status topic is fresh, else 503,
 * with the client's figures and the gateway's counters, for load balancers and operators; 503
 * with {@code "status": "starting"} and what it waits for while the gateway is not ready yet.
 * Without the operator's token it says ready or not only ({@code {"status":"ok"}} 200,
 * {@code {"status":"unavailable"}} 503): the counts, counters and errors are the operator's.
 */
final class HealthHandler implements Endpoint {
    static final String PATH = "/health";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Supplier<CutoffClientStats> cutoffStats;
    private final GatewayMetrics metrics;
    private final UsageSink usage;
    private final OperatorToken operator;
    private volatile Supplier<List<String>> waitingFor = List::of;

    HealthHandler(Supplier<CutoffClientStats> cutoffStats, GatewayMetrics metrics, UsageSink usage, OperatorToken operator) {
        this.operator = operator;
        this.cutoffStats = cutoffStats;
        this.metrics = metrics;
        this.usage = usage;
    }

    /** Until {@code waitingFor} is empty, the gateway is starting: 503, naming what it waits for. */
    void reportStartup(Supplier<List<String>> waitingFor) {
        this.waitingFor = waitingFor;
    }

    @Override
    public void serve(HttpCall call) {
        CutoffClientStats stats = cutoffStats == null ? null : cutoffStats.get();
        List<String> waiting = waitingFor.get();
        boolean healthy = waiting.isEmpty() && (stats == null || !stats.stale());
        call.setHeader("Cache-Control", "no-store");
        if (!operator.presentedBy(call)) {
            call.json(healthy ? 200 : 503, readiness(healthy));
            return;
        }
        try {
            ObjectNode json = JSON.createObjectNode();
            json.put("status", !waiting.isEmpty() ? "starting" : healthy ? "ok" : "stale");
            if (!waiting.isEmpty()) {
                waiting.forEach(json.putArray("waiting_for")::add);
            }
            if (stats != null) {
                ObjectNode c = json.putObject("cutoffs");
                c.put("bootstrapped", stats.bootstrapped());
                c.put("stale", stats.stale());
                c.put("staleness_ms", stats.staleness().toMillis());
                c.put("lag", stats.lag());
                c.put("accounts", stats.accounts());
                c.put("blocked_accounts", stats.blockedAccounts());
                c.put("updates_applied", stats.updatesApplied());
                c.put("stale_updates_ignored", stats.staleUpdatesIgnored());
                c.put("malformed_messages", stats.malformedMessages());
                c.put("last_error", stats.lastError());
            }
            ObjectNode g = json.putObject("requests");
            g.put("served", metrics.served());
            g.put("streams_cut_short", metrics.streamsCutShort());
            g.put("payment_required", metrics.paymentRequired());
            g.put("status_unavailable", metrics.statusUnavailable());
            g.put("rejected", metrics.rejected());
            g.put("rate_limited", metrics.rateLimited());
            g.put("usage_undelivered", usage.undelivered());
            call.json(healthy ? 200 : 503, JSON.writeValueAsBytes(json));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What anyone may know: ready or not. */
    static byte[] readiness(boolean ready) {
        return ready ? "{\"status\":\"ok\"}".getBytes(java.nio.charset.StandardCharsets.US_ASCII)
                : "{\"status\":\"unavailable\"}".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
