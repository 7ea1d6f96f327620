package dev.billing.bench.process;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * One metrics line of a job process (counters, checkpoint gauges, RocksDB gauges, memory, CPU),
 * with the harness's own CPU time, the machine's busy CPU time and PostgreSQL's when the line arrived.
 */
public record Sample(JsonNode json, long harnessCpuNanos, long machineBusyNanos, long postgresCpuNanos) {

    public long t() {
        return json.path("t").asLong();
    }

    public long counter(String name) {
        return json.path("counters").path(name).asLong(0);
    }

    /** A checkpoint gauge of the job (see {@link JobProcessMain}); -1 before the first checkpoint. */
    public long checkpoint(String name) {
        return json.path("checkpoints").path(name).asLong(-1);
    }

    public long memory(String name) {
        return json.path("memory").path(name).asLong(-1);
    }

    /** CPU time the job's JVM has used so far. */
    public long cpuNanos() {
        return json.path("cpuNanos").asLong(-1);
    }

    public String status() {
        return json.path("status").asText();
    }

    /** RocksDB gauges as {@code <state>.<property>} -> value, summed over subtasks; empty in most samples. */
    public Map<String, Long> rocksdb() {
        Map<String, Long> out = new TreeMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = json.path("rocksdb").fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            out.put(e.getKey(), e.getValue().asLong());
        }
        return out;
    }
}
