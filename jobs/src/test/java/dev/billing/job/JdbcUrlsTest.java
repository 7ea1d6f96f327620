package dev.billing.job;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JdbcUrlsTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "jdbc:postgresql://db:5432/billing                                       | jdbc:postgresql://db:5432/billing?currentSchema=work",
        "jdbc:postgresql://db/billing?sslmode=verify-full                        | jdbc:postgresql://db/billing?sslmode=verify-full&currentSchema=work",
        "jdbc:postgresql://db/billing?currentSchema=billing&sslmode=require      | jdbc:postgresql://db/billing?currentSchema=work&sslmode=require",
        "jdbc:postgresql://db/billing?sslmode=require&currentSchema=billing      | jdbc:postgresql://db/billing?sslmode=require&currentSchema=work",
    })
    void pointsTheUrlAtTheWorkSchemaAndKeepsTheRest(String url, String expected) {
        assertThat(JdbcUrls.withCurrentSchema(url.trim(), "work")).isEqualTo(expected.trim());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "jdbc:postgresql://db/billing?password=hunter2                          | jdbc:postgresql://db/billing?password=***",
        "jdbc:postgresql://db/billing?user=app&password=hunter2&sslmode=require | jdbc:postgresql://db/billing?user=app&password=***&sslmode=require",
        "jdbc:postgresql://db/billing?sslmode=verify-full&sslpassword=hunter2   | jdbc:postgresql://db/billing?sslmode=verify-full&sslpassword=***",
        "jdbc:postgresql://db/billing?PASSWORD=hunter2                          | jdbc:postgresql://db/billing?PASSWORD=***",
        "jdbc:postgresql://app:hunter2@db:5432/billing                          | jdbc:postgresql://app:***@db:5432/billing",
        "jdbc:postgresql://db:5432/billing?currentSchema=billing                | jdbc:postgresql://db:5432/billing?currentSchema=billing",
    })
    void hidesThePasswordsAndKeepsTheRest(String url, String expected) {
        assertThat(JdbcUrls.redacted(url.trim())).isEqualTo(expected.trim());
    }

    @Test
    void hidesPasswordsOfUrlsQuotedInsideAMessage() {
        String message = "Unable to obtain connection from database (jdbc:postgresql://db/b?password=hunter2) for user"
                + " 'app'; also tried 'jdbc:postgresql://db/b?sslpassword=s3cret' and jdbc:postgresql://db/b?password=pw2\n"
                + "next line";
        assertThat(JdbcUrls.redacted(message))
                .doesNotContain("hunter2", "s3cret", "pw2")
                .isEqualTo("Unable to obtain connection from database (jdbc:postgresql://db/b?password=***) for user"
                        + " 'app'; also tried 'jdbc:postgresql://db/b?sslpassword=***' and jdbc:postgresql://db/b?password=***\n"
                        + "next line");
    }

    @Test
    void leavesTextWithoutSecretsAlone() {
        String text = "No retained checkpoint in file:///tmp/chk: starting fresh; host db:5432, user@example";
        assertThat(JdbcUrls.redacted(text)).isEqualTo(text);
    }
}
