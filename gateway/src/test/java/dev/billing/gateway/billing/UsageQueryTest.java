package dev.billing.gateway.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UsageQueryTest {
    private static final Instant NOW = Instant.parse("2026-03-15T10:20:30Z");

    @Test
    void defaultsToThirtyDaysByDayUntilNow() throws Exception {
        UsageQuery q = UsageQuery.of(Map.of(), NOW);
        assertThat(q.granularity()).isEqualTo(UsageQuery.Granularity.DAY);
        assertThat(q.to()).isEqualTo(NOW);
        assertThat(q.from()).isEqualTo(Instant.parse("2026-02-13T10:20:30Z"));
    }

    @Test
    void takesDatesAsUtcDaysAndInstantsAsGiven() throws Exception {
        UsageQuery q = UsageQuery.of(Map.of("from", "2026-03-01", "to", "2026-03-02T06:00:00Z", "granularity", "hour"), NOW);
        assertThat(q.from()).isEqualTo(Instant.parse("2026-03-01T00:00:00Z"));
        assertThat(q.to()).isEqualTo(Instant.parse("2026-03-02T06:00:00Z"));
        assertThat(q.granularity().field()).isEqualTo("hour");
    }

    @Test
    void refusesWhatItCannotAnswerSayingWhy() {
        assertThatThrownBy(() -> UsageQuery.of(Map.of("granularity", "week"), NOW))
                .hasMessageContaining("hour, day or month").extracting("param").isEqualTo("granularity");
        assertThatThrownBy(() -> UsageQuery.of(Map.of("from", "2026-03-02", "to", "2026-03-02"), NOW))
                .hasMessageContaining("must be before");
        assertThatThrownBy(() -> UsageQuery.of(Map.of("from", "2026-01-01", "to", "2026-02-02", "granularity", "hour"), NOW))
                .hasMessageContaining("longer than 31 days");
        assertThatThrownBy(() -> UsageQuery.of(Map.of("from", "2025-01-01", "to", "2026-01-03"), NOW))
                .hasMessageContaining("longer than 366 days");
        assertThatThrownBy(() -> UsageQuery.of(Map.of("from", "last week"), NOW)).hasMessageContaining("ISO-8601");
        assertThatThrownBy(() -> UsageQuery.of(Map.of("model", "x"), NOW)).hasMessageContaining("Unknown parameter 'model'");
    }

    @Test
    void aYearByDayAndTenYearsByMonthAreAllowed() throws Exception {
        assertThat(UsageQuery.of(Map.of("from", "2025-01-01", "to", "2026-01-02"), NOW).from())
                .isEqualTo(Instant.parse("2025-01-01T00:00:00Z"));
        assertThat(UsageQuery.of(Map.of("from", "2016-04-01", "to", "2026-04-01", "granularity", "month"), NOW).to())
                .isEqualTo(Instant.parse("2026-04-01T00:00:00Z"));
    }
}
