package dev.billing.bench.report;

import dev.billing.bench.measure.JfrProfile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** target/bench/report.html: one self-contained page, charts drawn as inline SVG, no script. */
public final class HtmlReport {
    private HtmlReport() {}

    public static Path write(BenchResult r, Path file) throws IOException {
        Files.createDirectories(file.getParent());
        StringBuilder h = new StringBuilder();
        h.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>billing bench ")
                .append(esc(r.startedAt)).append("</title><style>")
                .append("body{font:14px system-ui,sans-serif;margin:2em;max-width:1100px;color:#222}")
                .append("table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}")
                .append("th{background:#f4f4f4}.no{color:#b00;font-weight:bold}.yes{color:#070}")
                .append("svg{background:#fff;border:1px solid #ddd;margin:0.5em 0}</style></head><body>");
        h.append("<h1>Billing pipeline benchmark</h1><p>").append(esc(r.settings.mode())).append(" run, started ")
                .append(esc(r.startedAt)).append(String.format(", %.0f s. ", r.durationSeconds))
                .append("Machine: ").append(esc(r.machine.toString())).append("</p>");

        h.append("<h2>Targets</h2><table><tr><th>target</th><th>goal</th><th>measured</th><th>met</th></tr>");
        for (BenchResult.Target t : r.targets) {
            h.append("<tr><td>").append(esc(t.name())).append("</td><td>").append(esc(t.goal())).append("</td><td>")
                    .append(esc(t.measured())).append("</td><td class=\"").append(t.met() ? "yes\">yes" : "no\">no")
                    .append(t.note().isEmpty() ? "" : ": " + esc(t.note())).append("</td></tr>");
        }
        h.append("</table>");

        h.append("<h2>Throughput</h2>");
        h.append(Svg.bars("records/s on the same pre-loaded records", List.of(
                Map.entry("passthrough (ceiling)", r.passthrough.recordsPerSecond),
                Map.entry("billing job", r.billing.recordsPerSecond),
                Map.entry("70 % of the ceiling", r.passthrough.recordsPerSecond * Targets.MIN_RATIO))));
        h.append(Svg.lines("records/s over each run (1 s windows)", "s", "records/s",
                Map.of("passthrough", r.passthrough.series, "billing", r.billing.series), Double.NaN));
        if (!r.jmh.isEmpty()) {
            h.append(Svg.bars("JMH, one thread: records/s per core", r.jmh.entrySet().stream()
                    .map(e -> Map.entry(e.getKey(), e.getValue().perSecond())).toList()));
        }

        h.append("<h2>Cutoff latency</h2><p>").append(String.format("%,d accounts driven across zero at %,.0f records/s;"
                        + " from the crossing record's Kafka CreateTime to a gateway consumer holding the BLOCKED status.",
                r.steady.cutoffsSeen, r.steady.recordsPerSecond)).append("</p>");
        h.append(Svg.lines("latency (ms) by percentile", "percentile", "ms",
                !r.fixedRate.ran() ? Map.of("at " + r.steady.label, r.steady.percentiles)
                        : Map.of("at " + r.steady.label, r.steady.percentiles, "at the fixed rate", r.fixedRate.percentiles),
                Targets.MAX_P99_MS));
        h.append(Svg.lines("billing job records/s during the latency phase", "s", "records/s",
                Map.of("billed", r.steady.series), Double.NaN));

        h.append("<h2>Figures</h2><table>");
        for (String[] row : SummaryTable.rows(r)) {
            h.append("<tr><th>").append(esc(row[0])).append("</th><td>").append(esc(row[1])).append("</td></tr>");
        }
        h.append("</table>");
        h.append("<h3>State by RocksDB column family (after the throughput run)</h3><table><tr><th>state</th><th>SST bytes</th><th>estimated keys</th></tr>");
        r.rocksdbBytesByState.forEach((state, bytes) -> h.append("<tr><td>").append(esc(state)).append("</td><td>")
                .append(String.format("%,d", bytes)).append("</td><td>")
                .append(String.format("%,d", r.rocksdbKeysByState.getOrDefault(state, -1L))).append("</td></tr>"));
        h.append("</table><h3>Billing checkpoints</h3><table><tr><th>id</th><th>at s</th><th>duration ms</th><th>size bytes</th><th>full size bytes</th></tr>");
        for (BenchResult.Checkpoint c : r.billing.checkpoints) {
            h.append(String.format("<tr><td>%d</td><td>%.0f</td><td>%,d</td><td>%,d</td><td>%,d</td></tr>", c.id(),
                    c.atSecond(), c.durationMs(), c.sizeBytes(), c.fullSizeBytes()));
        }
        h.append("</table>");
        if (r.profile != null) {
            h.append("<h2>Where the billing job's CPU went (JFR, ").append(r.profile.samples()).append(" samples)</h2>");
            share(h, "by thread (task)", r.profile.byThread());
            share(h, "by activity (a sample counts for every activity on its stack)", r.profile.byActivity());
            share(h, "by library (JDK code charged to the library that called it)", r.profile.byLibrary());
            share(h, "top methods (self)", r.profile.topMethods());
        }
        h.append("<h2>Parameters</h2><pre>").append(esc(r.settings.toString())).append("</pre></body></html>\n");
        Files.writeString(file, h);
        return file;
    }

    private static void share(StringBuilder h, String title, List<JfrProfile.Share> shares) {
        h.append("<h3>").append(esc(title)).append("</h3><table><tr><th>").append("name</th><th>% of samples</th></tr>");
        for (JfrProfile.Share s : shares) {
            h.append(String.format("<tr><td>%s</td><td>%.1f</td></tr>", esc(s.name()), s.percent()));
        }
        h.append("</table>");
    }

    static String esc(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
