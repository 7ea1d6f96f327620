package dev.billing.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class TopicsTest {
    private final JobOptions options = CommandLine.populateCommand(new JobOptions());

    @Test
    void inputsKeepTheBrokersAppendTimeSoThatAReplaySeesTheJobsOrder() {
        for (String input : new String[] {options.usageTopic, options.eventsTopic, options.ratesTopic}) {
            assertThat(Topics.configOf(input, options)).containsEntry("message.timestamp.type", "LogAppendTime");
        }
        assertThat(Topics.configOf(options.statusTopic, options)).doesNotContainKey("message.timestamp.type");
    }

    @Test
    void usageAndEventsAreKeptForeverForARebuild() {
        for (String input : new String[] {options.usageTopic, options.eventsTopic}) {
            assertThat(Topics.configOf(input, options)).containsEntry("retention.ms", "-1").containsEntry("retention.bytes", "-1");
        }
        assertThat(Topics.configOf(options.ratesTopic, options)).doesNotContainKey("retention.ms");
        assertThat(Topics.configOf(options.alertsTopic, options)).doesNotContainKey("retention.ms");
    }

    @Test
    void statusAndRateCardsAreCompactedAndTheDeadLetterTopicTakesLargeMessages() {
        assertThat(Topics.configOf(options.statusTopic, options)).isEqualTo(Map.of("cleanup.policy", "compact"));
        assertThat(Topics.configOf(options.ratesTopic, options)).containsEntry("cleanup.policy", "compact");
        assertThat(Topics.configOf(options.usageTopic, options)).doesNotContainKey("cleanup.policy");
        assertThat(Topics.configOf(options.dlqTopic, options)).containsEntry("max.message.bytes", "4194304");
    }
}
