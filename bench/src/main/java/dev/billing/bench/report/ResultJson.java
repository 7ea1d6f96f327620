package dev.billing.bench.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.billing.bench.BenchSettings;
import dev.billing.bench.measure.JfrProfile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** target/bench/result.json: the headline figures under stable names, then the details and the run's parameters. */
public final class ResultJson {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ResultJson() {}

    public static Path write(BenchResult r, Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, JSON.writeValueAsString(toJson(r)) + "\n");
        return file;
    }

    static ObjectNode toJson(BenchResult r) {
        ObjectNode root = JSON.createObjectNode();
        num(root, "passthrough_records_per_s", r.passthrough.recordsPerSecond);
        num(root, "billing_records_per_s", r.billing.recordsPerSecond);
        num(root, "ratio", r.ratio().median());
        spread(root.putObject("ratio_spread"), r.ratio(), r.ratios);
        ObjectNode latency = root.putObject("cutoff_latency_ms");
        num(latency, "p50", r.steady.p50Ms);
        num(latency, "p90", r.steady.p90Ms);
        num(latency, "p99", r.steady.p99Ms);
        num(latency, "max", r.steady.maxMs);
        num(latency, "mean", r.steady.meanMs);
        latency.put("count", r.steady.cutoffsSeen);
        latency.put("missing", r.steady.cutoffsMissing);
        num(root, "postgres_rows_per_s", r.postgresRowsPerSecond);
        num(root, "state_bytes_per_account", r.stateBytesPerAccount);
        num(root, "idle_account_state_bytes", r.idleAccountStateBytes);
        var hot = r.jmh.get("HotPathBenchmark.parsePriceCharge");
        num(root, "jmh_records_per_s_per_core", hot == null ? Double.NaN : hot.perSecond());
        var keyed = r.jmh.get("LedgerStageBenchmark.bill");
        num(root, "jmh_keyed_stage_records_per_s_per_core", keyed == null ? Double.NaN : keyed.perSecond());
        root.put("billing_peak_rss_bytes", r.billing.rssPeakBytes);

        root.set("parameters", parameters(r.settings));
        ObjectNode machine = root.putObject("machine");
        r.machine.forEach(machine::put);
        root.put("started_at", r.startedAt);
        num(root, "duration_s", r.durationSeconds);
        num(root, "load_records_per_s", r.loadRecordsPerSecond);

        root.set("passthrough", jobRun(r.passthrough));
        root.set("keyed_passthrough", jobRun(r.keyedPassthrough));
        root.set("billing", jobRun(r.billing));

        ObjectNode pg = root.putObject("postgres");
        num(pg, "rows_per_s_at_full_speed", r.postgresRowsPerSecond);
        num(pg, "rows_per_record_at_full_speed", r.postgresRowsPerRecord);
        pg.put("rows_written_pg_stat_total", r.postgresRowsWrittenPgStat);
        pg.put("rows_present", r.postgresRowsPresent);
        pg.put("statements_note", "one upsert statement per batch of up to --jdbc-batch-size rows (rows as arrays); pg_stat_statements not used");
        // "half load" is the rate of the latency phase: half the billing rate, or --cutoff-rate
        num(pg, "rows_per_s_at_half_load", r.steady.postgresRowsPerSecond);
        num(pg, "rows_per_s_at_half_load_pg_stat", r.steady.postgresRowsPerSecondPgStat);
        num(pg, "changed_keys_per_s_at_half_load", r.steady.changedKeysPerSecond);
        num(pg, "records_per_s_at_half_load", r.steady.recordsPerSecond);

        ObjectNode state = root.putObject("state");
        state.put("full_checkpoint_bytes", r.stateFullCheckpointBytes);
        state.put("accounts", r.accountsInState);
        num(state, "bytes_per_account", r.stateBytesPerAccount);
        num(state, "idle_account_bytes", r.idleAccountStateBytes);
        ObjectNode byState = state.putObject("rocksdb_sst_bytes_by_state");
        r.rocksdbBytesByState.forEach(byState::put);
        ObjectNode keys = state.putObject("rocksdb_estimated_keys_by_state");
        r.rocksdbKeysByState.forEach(keys::put);

        ObjectNode fixed = root.putObject("cutoff_latency_at_fixed_rate_ms");
        num(fixed, "p50", r.fixedRate.p50Ms);
        num(fixed, "p99", r.fixedRate.p99Ms);
        num(fixed, "max", r.fixedRate.maxMs);
        fixed.put("count", r.fixedRate.cutoffsSeen);
        root.set("cutoff_phase", steady(r.steady));
        root.set("fixed_rate_cutoff_phase", steady(r.fixedRate));

        ObjectNode jmh = root.putObject("jmh_records_per_s_per_core_by_benchmark");
        r.jmh.forEach((name, score) -> {
            ObjectNode b = jmh.putObject(name);
            num(b, "score", score.perSecond());
            num(b, "error", score.error());
        });

        ArrayNode targets = root.putArray("targets");
        for (BenchResult.Target t : r.targets) {
            ObjectNode o = targets.addObject();
            o.put("name", t.name());
            o.put("goal", t.goal());
            o.put("measured", t.measured());
            o.put("met", t.met());
            o.put("note", t.note());
        }
        if (r.profile != null) {
            ObjectNode p = root.putObject("billing_profile");
            p.put("recording", r.profileFile);
            p.put("cpu_samples", r.profile.samples());
            shares(p.putArray("by_thread"), r.profile.byThread());
            shares(p.putArray("by_activity_inclusive"), r.profile.byActivity());
            shares(p.putArray("by_library"), r.profile.byLibrary());
            shares(p.putArray("top_methods"), r.profile.topMethods());
        }
        return root;
    }

    private static ObjectNode steady(BenchResult.Steady st) {
        ObjectNode steady = JSON.createObjectNode();
        steady.put("rate_chosen_by", st.label);
        num(steady, "target_records_per_s", st.targetRecordsPerSecond);
        num(steady, "sent_records_per_s", st.recordsPerSecond);
        num(steady, "billed_records_per_s", st.billedPerSecond);
        steady.put("kept_up", st.keptUp);
        spread(steady.putObject("drain_ms"), Spread.of(st.drainMs), st.drainMs);
        cores(steady, st.jobCores, st.harnessCores, st.postgresCores, st.machineCores);
        steady.put("cutoffs_expected", st.cutoffsExpected);
        steady.put("cutoffs_seen", st.cutoffsSeen);
        steady.put("cutoffs_missing", st.cutoffsMissing);
        spread(steady.putObject("window_p99_ms"), Spread.of(st.windowP99Ms), st.windowP99Ms);
        spread(steady.putObject("window_p50_ms"), Spread.of(st.windowP50Ms), st.windowP50Ms);
        steady.put("slowest_1pct_cutoffs", st.slowestCutoffs);
        steady.put("slowest_1pct_during_a_checkpoint", st.slowestDuringCheckpoint);
        num(steady, "checkpoint_time_share", st.checkpointTimeShare);
        points(steady.putArray("latency_percentiles_ms"), st.percentiles);
        points(steady.putArray("billed_series"), st.series);
        return steady;
    }

    /** Where the busy cores went: the job's JVM, the harness's, PostgreSQL, the whole machine. */
    private static void cores(ObjectNode o, double job, double harness, double postgres, double machine) {
        num(o, "job_cores_busy", job);
        num(o, "harness_cores_busy", harness);
        num(o, "postgres_cores_busy", postgres);
        num(o, "machine_cores_busy", machine);
    }

    private static void spread(ObjectNode o, Spread spread, List<Double> values) {
        num(o, "median", spread.median());
        num(o, "min", spread.min());
        num(o, "max", spread.max());
        num(o, "half_width", spread.halfWidth());
        ArrayNode each = o.putArray("each");
        values.forEach(v -> each.add(Double.isNaN(v) ? null : v));
    }

    private static ObjectNode parameters(BenchSettings s) {
        ObjectNode p = JSON.createObjectNode();
        p.put("mode", s.mode());
        p.put("records", s.records());
        p.put("accounts", s.accounts());
        p.put("zipf_skew", s.skew());
        p.put("models", 4);
        p.put("partitions", s.partitions());
        p.put("parallelism", s.parallelism());
        p.put("checkpoint_interval_s", s.checkpointInterval().toMillis() / 1000.0);
        p.put("job_heap", s.jobHeap());
        p.put("cutoffs", s.cutoffs());
        p.put("cutoff_phase_s", s.cutoffPhase().toSeconds());
        if (s.cutoffRate() != null) {
            p.put("cutoff_rate", s.cutoffRate());
        }
        p.put("fixed_rate", s.fixedRate());
        p.put("repeat", s.repeat());
        p.put("seed", s.seed());
        ObjectNode conf = p.putObject("flink_conf");
        s.flinkConf().forEach(conf::put);
        ObjectNode kafka = p.putObject("kafka_properties");
        s.kafkaProperties().forEach(kafka::put);
        return p;
    }

    private static ObjectNode jobRun(BenchResult.JobRun run) {
        ObjectNode o = JSON.createObjectNode();
        num(o, "records_per_s", run.recordsPerSecond);
        spread(o.putObject("records_per_s_spread"), run.spread(), run.repetitions);
        cores(o, run.jobCores, run.harnessCores, run.postgresCores, run.machineCores);
        num(o, "seconds", run.seconds);
        o.put("peak_rss_bytes", run.rssPeakBytes);
        o.put("heap_max_bytes", run.heapMaxBytes);
        o.put("heap_after_gc_max_bytes", run.heapAfterGcMaxBytes);
        o.put("heap_used_max_bytes", run.heapUsedMaxBytes);
        o.put("restarts", run.restarts);
        o.put("final_status", run.finalStatus);
        o.put("log", run.log);
        ArrayNode cps = o.putArray("checkpoints");
        for (BenchResult.Checkpoint c : run.checkpoints) {
            ObjectNode cp = cps.addObject();
            cp.put("id", c.id());
            cp.put("duration_ms", c.durationMs());
            cp.put("size_bytes", c.sizeBytes());
            cp.put("full_size_bytes", c.fullSizeBytes());
            num(cp, "at_s", c.atSecond());
        }
        points(o.putArray("series"), run.series);
        return o;
    }

    private static void shares(ArrayNode out, List<JfrProfile.Share> shares) {
        for (JfrProfile.Share s : shares) {
            ObjectNode o = out.addObject();
            o.put("name", s.name());
            o.put("samples", s.samples());
            o.put("percent", Math.round(s.percent() * 10) / 10.0);
        }
    }

    private static void points(ArrayNode out, List<double[]> points) {
        for (double[] p : points) {
            ArrayNode a = out.addArray();
            a.add(Math.round(p[0] * 100) / 100.0);
            a.add(Math.round(p[1] * 10) / 10.0);
        }
    }

    /** NaN (not measured) is null: JSON has no NaN. */
    private static void num(ObjectNode o, String field, double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            o.putNull(field);
        } else {
            o.put(field, Math.round(v * 100) / 100.0);
        }
    }
}
