package dev.billing.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ApiKeysTest {
    @Test
    void theBearerTokenNamesTheAccount() {
        assertThat(ApiKeys.accountId("Bearer sk-acct-42")).isEqualTo("acct-42");
        assertThat(ApiKeys.accountId("bearer sk-acct-42 ")).isEqualTo("acct-42");
        assertThat(ApiKeys.accountId("Bearer sk-sk-1")).isEqualTo("sk-1");
    }

    @Test
    void anythingElseIsNoKey() {
        assertThat(ApiKeys.accountId(null)).isNull();
        assertThat(ApiKeys.accountId("")).isNull();
        assertThat(ApiKeys.accountId("Bearer ")).isNull();
        assertThat(ApiKeys.accountId("Bearer sk-")).isNull();
        assertThat(ApiKeys.accountId("Bearer acct-42")).isNull();
        assertThat(ApiKeys.accountId("Basic c2stYWNjdA==")).isNull();
        assertThat(ApiKeys.accountId("Bearer sk-a b")).isNull();
        assertThat(ApiKeys.accountId("Bearer sk-" + "x".repeat(257))).isNull();
    }
}
