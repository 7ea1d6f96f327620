package dev.billing.gateway;

import dev.billing.gateway.client.CutoffClient;
import dev.billing.it.PipelineFixture;
import dev.billing.job.JobOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/** The real door of a gateway under test: reservations in the test's schema, a usage journal in a fresh directory. */
final class TestDoors {
    private TestDoors() {}

    /** A door for gateway {@code gatewayId}, its journal in a new directory. */
    static GatewayDoor open(PipelineFixture fixture, JobOptions options, CutoffClient cutoffs, String gatewayId)
            throws Exception {
        return open(fixture, options, cutoffs, gatewayId, Files.createTempDirectory("usage-journal-"), new Properties());
    }

    /** A door whose journal is in {@code journal} (kept across a restart) and whose producer takes {@code kafka}. */
    static GatewayDoor open(PipelineFixture fixture, JobOptions options, CutoffClient cutoffs, String gatewayId,
            Path journal, Properties kafka) throws Exception {
        DatabaseOptions database = new DatabaseOptions(options.jdbcUrl, fixture.postgres.user, fixture.postgres.password);
        return GatewayDoor.open(new GatewayDoor.Settings(fixture.kafka.bootstrapServers(), options.usageTopic,
                options.ratesTopic, kafka, database, options.freeCreditsUsd, gatewayId,
                journal, 100_000), cutoffs::status);
    }
}
