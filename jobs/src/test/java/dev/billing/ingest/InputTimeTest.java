package dev.billing.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.billing.model.SourceRecord;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class InputTimeTest {
    private static final long APPENDED = Instant.parse("2026-03-01T12:00:00Z").toEpochMilli();

    private static SourceRecord record(String json) {
        return new SourceRecord("t", 0, 0, APPENDED, null, json == null ? null : json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aRecordIsOrderedByItsOwnTimeField() {
        String usage = "{\"request_id\":\"r\",\"usage\":{\"completed_at\":\"1999-01-01T00:00:00Z\"},"
                + "\"completed_at\":\"2026-02-10T08:30:00.250+01:00\",\"account_id\":\"a\"}";
        assertThat(InputTime.ofUsage().of(record(usage)))
                .as("the top-level field, not a nested one of the same name")
                .isEqualTo(Instant.parse("2026-02-10T07:30:00.250Z").toEpochMilli());
        assertThat(InputTime.ofEvents().of(record("{\"occurred_at\":\"2026-01-05T00:00:00Z\",\"type\":\"X\"}")))
                .isEqualTo(Instant.parse("2026-01-05T00:00:00Z").toEpochMilli());
    }

    @Test
    void aTimeAheadOfTheAppendIsCappedAtIt() {
        assertThat(InputTime.ofUsage().of(record("{\"completed_at\":\"2026-03-01T12:40:00Z\"}"))).isEqualTo(APPENDED);
    }

    @Test
    void withoutATimeTheParseStepAcceptsThereIsNone() {
        for (String bad : new String[] {null, "", "not json", "[1,2]", "{\"completed_at\":17}",
            "{\"completed_at\":\"yesterday\"}", "{\"completed_at\":\"0016-01-01T00:00:00Z\"}",
            "{\"completed_at\":\"1999-12-31T23:59:59Z\"}", "{\"account_id\":\"a\"}", "{\"completed_at\":\"2026-01-01T00:00:00Z\""}) {
            long time = InputTime.ofUsage().of(record(bad));
            assertThat(time).as(String.valueOf(bad)).isEqualTo(bad != null && bad.startsWith("{\"completed_at\":\"2026")
                    ? Instant.parse("2026-01-01T00:00:00Z").toEpochMilli() : Long.MIN_VALUE);
        }
    }
}
