package dev.billing.gateway.keys;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ApiKeyTest {
    // bytes 0x01..0x08 for the id, 0xe0..0xff for the secret; the text and its SHA-256 were computed
    // with Python's base64.urlsafe_b64encode and sha256sum
    private static final String KNOWN = "sk-live-key_0102030405060708-4OHi4-Tl5ufo6err7O3u7_Dx8vP09fb3-Pn6-_z9_v8";
    private static final String KNOWN_SHA256 = "f681d48b0ff3d209246acda324ec8b5a7f79764af4661467c2d86b4c3942b51e";

    /** Hands out the bytes it was given, in order, as a SecureRandom would random ones. */
    private static final class Scripted extends SecureRandom {
        private static final long serialVersionUID = 1L;
        private int next;
        private final int[] bytes;

        Scripted(int... bytes) {
            this.bytes = bytes;
        }

        @Override
        public void nextBytes(byte[] out) {
            for (int i = 0; i < out.length; i++) {
                out[i] = (byte) bytes[next++];
            }
        }
    }

    @Test
    void aNewKeyIsTheIdAndTheSecretOfItsRandomBytes() {
        int[] bytes = new int[8 + 32];
        for (int i = 0; i < 8; i++) {
            bytes[i] = i + 1;
        }
        for (int i = 0; i < 32; i++) {
            bytes[8 + i] = 0xe0 + i;
        }

        ApiKey key = ApiKey.generate(new Scripted(bytes));

        assertThat(key.text()).isEqualTo(KNOWN);
        assertThat(key.keyId()).isEqualTo("key_0102030405060708");
        assertThat(HexFormat.of().formatHex(key.sha256())).isEqualTo(KNOWN_SHA256);
    }

    @Test
    void realKeysHaveTheDocumentedFormAndDiffer() {
        SecureRandom random = new SecureRandom();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            ApiKey key = ApiKey.generate(random);
            assertThat(key.text()).matches("sk-live-key_[0-9a-f]{16}-[A-Za-z0-9_-]{43}");
            assertThat(key.text()).startsWith(ApiKey.PREFIX + key.keyId() + "-");
            assertThat(ApiKey.parse(key.text())).get().extracting(ApiKey::keyId).isEqualTo(key.keyId());
            assertThat(seen.add(key.text())).isTrue();
        }
    }

    @Test
    void parsesAKeyAndHashesItsWholeText() {
        ApiKey key = ApiKey.parse(KNOWN).orElseThrow();

        assertThat(key.keyId()).isEqualTo("key_0102030405060708");
        assertThat(HexFormat.of().formatHex(key.sha256())).isEqualTo(KNOWN_SHA256);
    }

    @Test
    void readsTheBearerHeaderWhateverTheSchemesCase() {
        assertThat(ApiKey.fromAuthorization("Bearer " + KNOWN)).get().extracting(ApiKey::keyId)
                .isEqualTo("key_0102030405060708");
        assertThat(ApiKey.fromAuthorization("bearer  " + KNOWN + " ")).isPresent();
        assertThat(ApiKey.fromAuthorization(KNOWN)).isEmpty();
        assertThat(ApiKey.fromAuthorization("Basic " + KNOWN)).isEmpty();
        assertThat(ApiKey.fromAuthorization(null)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "sk-acct-01",
        // one character short, one too many
        "sk-live-key_0102030405060708-4OHi4-Tl5ufo6err7O3u7_Dx8vP09fb3-Pn6-_z9_v",
        "sk-live-key_0102030405060708-4OHi4-Tl5ufo6err7O3u7_Dx8vP09fb3-Pn6-_z9_v8A",
        // another prefix, upper-case hex in the id, a character outside base64url, no dash
        "sk-test-key_0102030405060708-4OHi4-Tl5ufo6err7O3u7_Dx8vP09fb3-Pn6-_z9_v8",
        "sk-live-key_01020304050607AB-4OHi4-Tl5ufo6err7O3u7_Dx8vP09fb3-Pn6-_z9_v8",
        "sk-live-key_0102030405060708-4OHi4+Tl5ufo6err7O3u7_Dx8vP09fb3-Pn6-_z9_v8",
        "sk-live-key_0102030405060708_4OHi4-Tl5ufo6err7O3u7_Dx8vP09fb3-Pn6-_z9_v8",
        "sk-live-kex_0102030405060708-4OHi4-Tl5ufo6err7O3u7_Dx8vP09fb3-Pn6-_z9_v8"})
    void refusesWhatIsNotAKey(String text) {
        assertThat(ApiKey.parse(text)).isEmpty();
    }

    @Test
    void recognisesKeyIds() {
        assertThat(ApiKey.isKeyId("key_0123456789abcdef")).isTrue();
        assertThat(ApiKey.isKeyId("key_0123456789ABCDEF")).isFalse();
        assertThat(ApiKey.isKeyId("key_0123456789abcde")).isFalse();
        assertThat(ApiKey.isKeyId("acct-01")).isFalse();
        assertThat(ApiKey.isKeyId(null)).isFalse();
    }

    @Test
    void printsItsIdButNeverItsSecret() {
        ApiKey key = ApiKey.parse(KNOWN).orElseThrow();

        assertThat(key.toString()).contains("key_0102030405060708").doesNotContain("4OHi4");
    }
}
