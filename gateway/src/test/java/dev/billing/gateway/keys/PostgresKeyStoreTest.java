package dev.billing.gateway.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.billing.gateway.Authenticator;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The key store without a database: what it does before and instead of a lookup. */
class PostgresKeyStoreTest {
    private static final String KEY = "sk-live-key_0102030405060708-4OHi4-Tl5ufo6err7O3u7_Dx8vP09fb3-Pn6-_z9_v8";

    @Test
    void refusesWhatIsNotAKeyWithoutAskingTheDatabase() {
        AtomicInteger opened = new AtomicInteger();
        PostgresKeyStore store = new PostgresKeyStore(() -> {
            opened.incrementAndGet();
            throw new SQLException("must not be asked");
        }, "test-db", Duration.ofSeconds(2));

        assertThat(store.authenticate(null)).isEmpty();
        assertThat(store.authenticate("Bearer sk-acct-01")).isEmpty();
        assertThat(store.authenticate("Bearer " + KEY.substring(1))).isEmpty();
        assertThat(opened).hasValue(0);
    }

    @Test
    void saysTheKeysCannotBeCheckedWhenTheDatabaseIsUnreachableAndTriesAgainNextTime() {
        AtomicInteger opened = new AtomicInteger();
        PostgresKeyStore store = new PostgresKeyStore(() -> {
            opened.incrementAndGet();
            throw new SQLException("Connection to 127.0.0.1:1 refused.");
        }, "jdbc:postgresql://127.0.0.1:1/billing", Duration.ofSeconds(2));

        assertThatThrownBy(() -> store.authenticate("Bearer " + KEY))
                .isInstanceOf(Authenticator.Unavailable.class)
                .hasMessageContaining("jdbc:postgresql://127.0.0.1:1/billing")
                .hasMessageContaining("refused")
                .hasMessageNotContaining("4OHi4");
        int afterFirst = opened.get();
        assertThat(afterFirst).as("a fresh connection is tried once more").isEqualTo(2);

        // a failure is not cached as an unknown key: the next request asks again
        assertThatThrownBy(() -> store.authenticate("Bearer " + KEY)).isInstanceOf(Authenticator.Unavailable.class);
        assertThat(opened.get()).isGreaterThan(afterFirst);
    }
}
