package dev.billing.cli;

import dev.billing.job.CheckpointDirs;
import java.net.URI;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.client.deployment.StandaloneClusterId;
import org.apache.flink.client.program.rest.RestClusterClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.client.JobStatusMessage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Stops the running billing job with a savepoint, through Flink's REST API: what
 * {@code flink stop --savepointPath} does, for {@code bin/billing job} (whose in-process cluster has
 * no {@code flink} command beside it) and for any Flink cluster.
 */
@Command(name = "stop-with-savepoint", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Stop the running billing job with a savepoint (in Flink's canonical format), as before an upgrade.",
            "The savepoint is consistent with the outputs: every transaction of the job's exactly-once sinks is committed"
                    + " and every row is written before the job ends. Resume with bin/billing job --from-savepoint <path>"
                    + " (or flink run -s <path>), with this build or the next."},
        exitCodeListHeading = "Exit codes:%n", exitCodeList = {"2:no running job, or several and no --job-id"})
public class StopWithSavepointCommand implements Callable<Integer> {
    @Option(names = "--rest-url", required = true, paramLabel = "URL", description = "The Flink REST API: what bin/billing job printed (http://localhost:<--rest-port>), or a cluster's JobManager, e.g. http://jobmanager:8081.")
    String restUrl;

    @Option(names = "--savepoint-dir", required = true, paramLabel = "DIR", description = "Where the savepoint goes: a path or a URI (s3://..., file:///...), reachable from the JobManager and TaskManagers.")
    String savepointDir;

    @Option(names = "--job-id", description = "The job to stop (default: the only running one).")
    String jobId;

    @Override
    public Integer call() throws Exception {
        URI rest = URI.create(restUrl);
        Configuration conf = new Configuration();
        conf.set(RestOptions.ADDRESS, rest.getHost());
        conf.set(RestOptions.PORT, rest.getPort() > 0 ? rest.getPort() : 8081);
        try (RestClusterClient<StandaloneClusterId> client = new RestClusterClient<>(conf, StandaloneClusterId.getInstance())) {
            JobID job;
            if (jobId != null) {
                job = JobID.fromHexString(jobId);
            } else {
                List<JobStatusMessage> running = client.listJobs().get().stream()
                        .filter(j -> j.getJobState() == JobStatus.RUNNING).toList();
                if (running.size() != 1) {
                    System.err.println("billing stop-with-savepoint: " + running.size() + " running jobs at " + restUrl
                            + (running.isEmpty() ? "" : " (" + running.stream().map(j -> j.getJobId() + " " + j.getJobName())
                                    .toList() + "): name one with --job-id"));
                    return 2;
                }
                job = running.get(0).getJobId();
            }
            System.out.println("Stopping job " + job + " with a savepoint in " + savepointDir + " ...");
            String path = client.stopWithSavepoint(job, false, CheckpointDirs.normalise(savepointDir),
                    SavepointFormatType.CANONICAL).get();
            System.out.println("Stopped with savepoint " + path);
            System.out.println("Resume: bin/billing job --from-savepoint " + path + " <the same options>");
            return 0;
        }
    }
}
