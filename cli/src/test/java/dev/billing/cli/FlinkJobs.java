package dev.billing.cli;

import dev.billing.it.PipelineFixture;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.runtime.client.JobStatusMessage;

/** The jobs a {@code bin/billing job} run in the test submitted to the test's Flink cluster. */
final class FlinkJobs {
    private FlinkJobs() {}

    static Set<JobID> ids(ClusterClient<?> flink) throws Exception {
        return flink.listJobs().get().stream().map(JobStatusMessage::getJobId).collect(Collectors.toSet());
    }

    /** Waits for a running job that is not in {@code known}, and returns it. */
    static JobID awaitNewRunning(ClusterClient<?> flink, Set<JobID> known) throws Exception {
        JobID[] found = new JobID[1];
        PipelineFixture.awaitTrue("the job running", () -> {
            for (JobStatusMessage j : flink.listJobs().get()) {
                if (!known.contains(j.getJobId()) && j.getJobState() == JobStatus.RUNNING) {
                    found[0] = j.getJobId();
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }
}
