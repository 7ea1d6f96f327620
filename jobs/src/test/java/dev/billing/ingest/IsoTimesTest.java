package dev.billing.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The fast path must mean exactly what {@code OffsetDateTime.parse} means, for every text. */
class IsoTimesTest {
    private static final String ALPHABET = "0123456789-:TZ.+ zt/\u0660";

    @Test
    void readsTheCommonUtcFormAsTheGeneralParserDoes() {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 200_000; i++) {
            String text = utcText(random);
            assertThat(IsoTimes.utc(text)).as(text).isEqualTo(OffsetDateTime.parse(text).toInstant());
        }
    }

    @Test
    void agreesWithTheGeneralParserOnMutatedTexts() {
        SplittableRandom random = new SplittableRandom(11);
        for (int i = 0; i < 300_000; i++) {
            StringBuilder text = new StringBuilder(utcText(random));
            for (int k = 1 + random.nextInt(2); k > 0; k--) {
                int at = random.nextInt(text.length());
                char c = ALPHABET.charAt(random.nextInt(ALPHABET.length()));
                switch (random.nextInt(3)) {
                    case 0 -> text.setCharAt(at, c);
                    case 1 -> text.insert(at, c);
                    default -> text.deleteCharAt(at);
                }
            }
            assertSameAsGeneral(text.toString());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"2024-02-29T00:00:00Z", "2023-02-29T00:00:00Z", "2026-04-31T00:00:00Z",
        "2026-12-07T24:00:00Z", "2026-12-07T23:59:60Z", "2026-12-07T23:60:00Z", "2026-13-01T00:00:00Z",
        "2026-00-01T00:00:00Z", "2026-12-00T00:00:00Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z",
        "2026-12-07T06:46Z", "2026-12-07t06:46:00Z", "2026-12-07T06:46:00z", "2026-12-07T06:46:00.Z",
        "2026-12-07T06:46:00.1234567891Z", "2026-12-07T06:46:00.5+02:00", "2026-12-07T06:46:00-00:00",
        "2026-12-07T06:46:00+00:00", "\u0662\u0660\u0662\u0666-12-07T06:46:00Z", "2026-12-07 06:46:00Z",
        "+2026-12-07T06:46:00Z", "2026-12-07T06:46:00.000Z", "2026-12-07T06:46:00.1Z"})
    void edgeCasesMeanWhatTheGeneralParserSays(String text) {
        assertSameAsGeneral(text);
    }

    private static void assertSameAsGeneral(String text) {
        Instant expected;
        try {
            expected = OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            expected = null;
        }
        Instant fast = IsoTimes.utc(text);
        if (fast != null) {
            assertThat(fast).as("fast path on '%s'", text).isEqualTo(expected);
        }
        Instant parsed;
        try {
            parsed = IsoTimes.parse(text);
        } catch (DateTimeParseException e) {
            parsed = null;
        }
        assertThat(parsed).as("'%s'", text).isEqualTo(expected);
    }

    /** yyyy-MM-ddTHH:mm:ss[.f]Z with 0 to 9 fraction digits, years 0 to 9999. */
    private static String utcText(SplittableRandom random) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(random.nextLong(-62_167_219_200L, 253_402_300_800L), 0,
                ZoneOffset.UTC);
        StringBuilder text = new StringBuilder(String.format("%04d-%02d-%02dT%02d:%02d:%02d", t.getYear(),
                t.getMonthValue(), t.getDayOfMonth(), t.getHour(), t.getMinute(), t.getSecond()));
        int fraction = random.nextInt(10);
        if (fraction > 0) {
            text.append('.');
            for (int i = 0; i < fraction; i++) {
                text.append((char) ('0' + random.nextInt(10)));
            }
        }
        return text.append('Z').toString();
    }
}
