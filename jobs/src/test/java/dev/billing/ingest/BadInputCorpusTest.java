package dev.billing.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.billing.model.SourceRecord;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every corpus message is rejected by its parser with the reason its file name gives. */
class BadInputCorpusTest {
    private static final long NOW = java.time.Instant.parse("2026-11-29T12:00:00Z").toEpochMilli();

    static List<BadInputCorpus.Entry> corpus() {
        return BadInputCorpus.entries();
    }

    @Test
    void theCorpusCoversEveryKindOfHostileInput() {
        assertThat(corpus()).hasSizeGreaterThanOrEqualTo(30);
        assertThat(corpus()).extracting(BadInputCorpus.Entry::input).containsOnly("usage", "events", "rates");
    }

    /** The ledger, not the parser, knows the models: those entries pass parsing and are tested end to end. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void isRejectedWithItsReason(BadInputCorpus.Entry entry) {
        RecordParser<?> parser = switch (entry.input()) {
            case "usage" -> new UsageRecordParser(Duration.ofHours(1));
            case "events" -> new AccountEventParser(new BigDecimal("5.00"));
            default -> new RateCardParser();
        };
        Rejection r = catchThrowableOfType(Rejection.class,
                () -> parser.parse(new SourceRecord("t", 0, 0, NOW, null, entry.value()), NOW));
        if (entry.reason().equals("UNKNOWN_MODEL")) {
            assertThat(r).as(entry.name()).isNull();
            return;
        }
        assertThat(r).as(entry.name()).isNotNull();
        assertThat(r.reason().name()).as(entry.name() + ": " + r.getMessage()).isEqualTo(entry.reason());
    }

    @Test
    void anOversizedMessageIsRejectedNotFatal() {
        String huge = "{\"request_id\":\"" + "x".repeat(600_000) + "\",\"account_id\":\"a\",\"model\":\"m\","
                + "\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,\"total_tokens\":2},\"completed_at\":\"2026-11-29T11:00:00Z\"}";
        Rejection r = catchThrowableOfType(Rejection.class, () -> new UsageRecordParser(Duration.ofHours(1))
                .parse(new SourceRecord("t", 0, 0, NOW, null, huge.getBytes(StandardCharsets.UTF_8)), NOW));
        assertThat(r.reason().name()).isEqualTo("INVALID_FIELD");
    }
}
