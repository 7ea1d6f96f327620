package dev.billing.gateway;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Reads durations as the job's options write them ("500ms", "10s", "5m", "1h"), or ISO-8601 ("PT10S"). */
public final class DurationConverter implements ITypeConverter<Duration> {
    private static final Pattern SHORT = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");
    private static final Pattern BARE_NUMBER = Pattern.compile("\\d+");

    @Override
    public Duration convert(String value) {
        // as the job's options (JobOptions.DurationConverter, in a module the gateway does not depend on)
        if (BARE_NUMBER.matcher(value.strip()).matches()) {
            throw new TypeConversionException("'" + value.strip() + "' has no unit: write " + value.strip()
                    + "s, 500ms, 24h or 7d");
        }
        Matcher m = SHORT.matcher(value.trim());
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            switch (m.group(2)) {
                case "ms":
                    return Duration.ofMillis(n);
                case "s":
                    return Duration.ofSeconds(n);
                case "m":
                    return Duration.ofMinutes(n);
                case "h":
                    return Duration.ofHours(n);
                default:
                    return Duration.ofDays(n);
            }
        }
        try {
            return Duration.parse(value.trim());
        } catch (RuntimeException e) {
            throw new TypeConversionException("'" + value + "' is not a duration such as 500ms, 10s, 5m or PT10S");
        }
    }
}
