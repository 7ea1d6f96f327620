package dev.billing.cli.ops;

import com.fasterxml.jackson.databind.JsonNode;
import dev.billing.gateway.client.InputProducers;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code bin/billing dlq}: count, list and replay dead letters. A replay sends the original bytes
 * and key back to the topic they came from; replaying twice is harmless, because the job bills a
 * request_id and applies an event_id once.
 */
@Command(name = "dlq", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Count, list and replay the dead-letter topic.",
        subcommands = {DlqCommand.Count.class, DlqCommand.ListLetters.class, DlqCommand.Replay.class})
public class DlqCommand {
    @Option(names = "--bootstrap-servers", defaultValue = "localhost:9092", description = "Kafka (default: ${DEFAULT-VALUE}).")
    String bootstrapServers;

    @Option(names = "--dlq-topic", defaultValue = "billing-dlq", description = "The dead-letter topic (default: ${DEFAULT-VALUE}).")
    String dlqTopic;

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE", description = "A Kafka client property (repeatable), e.g. security.protocol=SSL.")
    Map<String, String> kafkaProperties = new LinkedHashMap<>();

    @Option(names = "--reason", description = "Only dead letters with this reason, e.g. UNKNOWN_MODEL.")
    String reason;

    @Option(names = "--source-topic", description = "Only dead letters from this input topic.")
    String sourceTopic;

    /**
     * Hands each matching dead letter to {@code action} as it is read, until the topic's current
     * end or until {@code action} returns false; nothing is collected, so any topic size fits.
     */
    void readMatching(Predicate<JsonNode> action) {
        DeadLetterTopic.read(bootstrapServers, dlqTopic, kafkaProperties, d -> !matches(d) || action.test(d));
    }

    private boolean matches(JsonNode d) {
        return (reason == null || reason.equals(d.path("reason").asText()))
                && (sourceTopic == null || sourceTopic.equals(d.path("source_topic").asText()));
    }

    @Command(name = "count", mixinStandardHelpOptions = true, description = "Dead letters per reason.")
    static class Count implements Callable<Integer> {
        @ParentCommand
        DlqCommand dlq;

        @Override
        public Integer call() throws Exception {
            Map<String, Long> byReason = new TreeMap<>();
            dlq.readMatching(d -> {
                byReason.merge(d.path("reason").asText(), 1L, Long::sum);
                return true;
            });
            byReason.forEach((r, n) -> System.out.printf("%-24s %8d%n", r, n));
            System.out.printf("%-24s %8d%n", "total", byReason.values().stream().mapToLong(Long::longValue).sum());
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Dead letters, one per line: reason, source, detail, original.")
    static class ListLetters implements Callable<Integer> {
        @ParentCommand
        DlqCommand dlq;

        @Option(names = "--limit", defaultValue = "50", description = "At most this many (default: ${DEFAULT-VALUE}).")
        int limit;

        @Override
        public Integer call() throws Exception {
            if (limit <= 0) {
                return 0;
            }
            int[] printed = {0};
            dlq.readMatching(d -> {
                System.out.printf("%s %s-%d@%d %s | %s%n", d.path("reason").asText(), d.path("source_topic").asText(),
                        d.path("source_partition").asInt(), d.path("source_offset").asLong(), d.path("detail").asText(),
                        abbreviate(d.path("original_text").asText("")));
                System.out.flush(); // a line as soon as it is read, also into a pipe
                return ++printed[0] < limit;
            });
            return 0;
        }
    }

    @Command(name = "replay", mixinStandardHelpOptions = true,
            description = {"Send the matching dead letters' original bytes and keys back to their source topics,"
                    + " e.g. after the missing model's rate card was published.",
                "Safe to run twice: the job bills a request_id and applies an event_id once."})
    static class Replay implements Callable<Integer> {
        @ParentCommand
        DlqCommand dlq;

        @Option(names = "--dry-run", description = "Only say what would be replayed.")
        boolean dryRun;

        @Override
        public Integer call() throws Exception {
            if (dlq.reason == null && dlq.sourceTopic == null) {
                System.err.println("dlq replay: choose what to replay with --reason and/or --source-topic"
                        + " (replaying unparseable input would only dead-letter it again).");
                return 2;
            }
            int[] replayed = {0};
            int[] skipped = {0};
            AtomicReference<Exception> failed = new AtomicReference<>();
            Properties p = InputProducers.properties(dlq.bootstrapServers, dlq.kafkaProperties);
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
                dlq.readMatching(d -> {
                    if (d.path("original_base64").isNull() || d.path("original_base64").isMissingNode()) {
                        skipped[0]++;
                        return true;
                    }
                    byte[] key = d.path("key_base64").isTextual() ? Base64.getDecoder().decode(d.path("key_base64").asText()) : null;
                    byte[] value = Base64.getDecoder().decode(d.path("original_base64").asText());
                    if (!dryRun) {
                        // sent as read, not one at a time: the producer bounds what is in flight (buffer.memory)
                        producer.send(new ProducerRecord<>(d.path("source_topic").asText(), key, value),
                                (metadata, e) -> failed.compareAndSet(null, e));
                    }
                    replayed[0]++;
                    return failed.get() == null;
                });
                producer.flush();
            }
            if (failed.get() != null) {
                throw new IllegalStateException("Replay stopped: Kafka refused a record (" + failed.get().getMessage()
                        + "). Running it again is safe: the job bills each request once.", failed.get());
            }
            System.out.printf("%s %d dead letters%s%n", dryRun ? "would replay" : "replayed", replayed[0],
                    skipped[0] == 0 ? "" : "; " + skipped[0] + " without their original (too large to keep) skipped");
            return 0;
        }
    }

    private static String abbreviate(String text) {
        String oneLine = text.replace('\n', ' ');
        return oneLine.length() <= 120 ? oneLine : oneLine.substring(0, 120) + "...";
    }
}
