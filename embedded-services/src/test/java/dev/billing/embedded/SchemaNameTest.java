package dev.billing.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SchemaNameTest {
    @ParameterizedTest
    @ValueSource(strings = {"billing_demo", "_work", "it_dlq_replay", "b2",
        "a23456789012345678901234567890123456789012345678901234567890123"})
    void acceptsPlainLowerCaseNames(String name) {
        assertThat(SchemaName.checked(name)).isEqualTo(name);
        assertThat(SchemaName.quoted(name)).isEqualTo("\"" + name + "\"");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Billing", "2fast", "billing-demo", "billing demo", "x; DROP TABLE account_balance",
        "x\" CASCADE; --", "a234567890123456789012345678901234567890123456789012345678901234"})
    void refusesAnythingElseSayingWhatIsAllowed(String name) {
        assertThatThrownBy(() -> SchemaName.quoted(name))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'" + name + "' is not a plain schema name: use lower-case letters, digits and _"
                        + " (at most 63, not starting with a digit), e.g. billing_demo");
    }
}
