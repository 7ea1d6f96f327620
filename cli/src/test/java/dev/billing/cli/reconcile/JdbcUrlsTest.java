package dev.billing.cli.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

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
}
