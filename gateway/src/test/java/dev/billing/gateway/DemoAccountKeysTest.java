package dev.billing.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DemoAccountKeysTest {
    @Test
    void theBearerTokenNamesTheAccount() {
        assertThat(DemoAccountKeys.accountId("Bearer sk-acct-42")).isEqualTo("acct-42");
        assertThat(DemoAccountKeys.accountId("bearer sk-acct-42 ")).isEqualTo("acct-42");
        assertThat(DemoAccountKeys.accountId("Bearer sk-sk-1")).isEqualTo("sk-1");
    }

    @Test
    void anythingElseIsNoKey() {
        assertThat(DemoAccountKeys.accountId(null)).isNull();
        assertThat(DemoAccountKeys.accountId("")).isNull();
        assertThat(DemoAccountKeys.accountId("Bearer ")).isNull();
        assertThat(DemoAccountKeys.accountId("Bearer sk-")).isNull();
        assertThat(DemoAccountKeys.accountId("Bearer acct-42")).isNull();
        assertThat(DemoAccountKeys.accountId("Basic c2stYWNjdA==")).isNull();
        assertThat(DemoAccountKeys.accountId("Bearer sk-a b")).isNull();
        assertThat(DemoAccountKeys.accountId("Bearer sk-" + "x".repeat(257))).isNull();
    }
}
