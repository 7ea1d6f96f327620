package dev.billing.it;

import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A Flink MiniCluster with two slots, and the Kafka and PostgreSQL of {@link PipelineFixture}, per test class. */
public abstract class PipelineTestBase {
    @RegisterExtension
    public static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    protected static PipelineFixture fixture;

    @BeforeAll
    public static void startServices() throws Exception {
        fixture = new PipelineFixture();
    }

    @AfterAll
    public static void stopServices() throws Exception {
        if (fixture != null) {
            fixture.close();
            fixture = null;
        }
    }
}
