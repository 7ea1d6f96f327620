package dev.billing.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.billing.job.JobOptions;
import dev.billing.job.StateGuard;
import dev.billing.job.TopicHistory;
import dev.billing.job.Topics;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * The inputs are created to keep their history, an input that deletes it is reported at start, and
 * a rebuild refuses topics that no longer start at offset 0 unless told it may.
 */
class TopicHistoryIT extends PipelineTestBase {
    @Test
    void theInputsKeepTheirHistoryAndARebuildRefusesATopicCutShort() throws Exception {
        JobOptions options = fixture.options("it_topic_history");
        Topics.ensure(options);
        assertThat(TopicHistory.report(options)).containsExactly(
                "Topic usage-records keeps its history (cleanup.policy=delete, retention.ms=-1, retention.bytes=-1).",
                "Topic account-events keeps its history (cleanup.policy=delete, retention.ms=-1, retention.bytes=-1).",
                "Topic rate-cards keeps its history (cleanup.policy=compact, retention.ms=604800000, retention.bytes=-1).");

        try (Admin admin = Admin.create(Map.of("bootstrap.servers", options.bootstrapServers))) {
            admin.createTopics(List.of(new NewTopic("week-of-usage", 1, (short) 1)
                    .configs(Map.of("retention.ms", "604800000")))).all().get();
            JobOptions weekly = fixture.options("it_topic_history_weekly", "--usage-topic", "week-of-usage");
            // a new topic is listed once the broker's metadata has it
            PipelineFixture.awaitTrue("the new topic in the report",
                    () -> TopicHistory.report(weekly).get(0).contains("week-of-usage"));
            assertThat(TopicHistory.report(weekly).get(0)).startsWith("WARNING: topic week-of-usage deletes its history"
                    + " (cleanup.policy=delete, retention.ms=604800000, retention.bytes=-1: older than 168h)")
                    .contains("retention.ms=-1");

            for (int i = 0; i < 3; i++) {
                fixture.client.sendTo(options.usageTopic, 1, "a", ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8));
            }
            JobOptions rebuild = fixture.options("it_topic_history", "--rebuild-state-from-earliest");
            StateGuard.check(rebuild, Optional.empty(), "no checkpoint");

            admin.deleteRecords(Map.of(new TopicPartition(options.usageTopic, 1), RecordsToDelete.beforeOffset(2)))
                    .all().get();
            assertThatThrownBy(() -> StateGuard.check(rebuild, Optional.empty(), "no checkpoint"))
                    .isInstanceOf(StateGuard.Refusal.class)
                    .hasMessageContaining("Refusing --rebuild-state-from-earliest")
                    .hasMessageMatching("(?s).*topic usage-records partition 1 starts at offset 2 \\(its earliest record"
                            + " appended at 20\\d\\d-\\d\\d-\\d\\dT[0-9:.]+Z\\).*")
                    .hasMessageContaining("free credits again")
                    .hasMessageContaining("--rebuild-without-full-history");

            JobOptions knowingly = fixture.options("it_topic_history", "--rebuild-state-from-earliest",
                    "--rebuild-without-full-history");
            StateGuard.check(knowingly, Optional.empty(), "no checkpoint");
        }
    }
}
