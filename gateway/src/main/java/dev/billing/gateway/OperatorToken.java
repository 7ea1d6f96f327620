package dev.billing.gateway;

import dev.billing.gateway.http.HttpCall;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** The operator's bearer token, which alone sees the gateway's internals (/health's details). */
final class OperatorToken {
    private final byte[] expected;

    /** @param token the token, or null for none: then nobody sees the details */
    OperatorToken(String token) {
        this.expected = token == null || token.isEmpty() ? null : ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
    }

    boolean presentedBy(HttpCall call) {
        String authorization = call.header("Authorization");
        // in constant time: the comparison tells nothing of how much of a guess was right
        return expected != null && authorization != null
                && MessageDigest.isEqual(expected, authorization.getBytes(StandardCharsets.UTF_8));
    }
}
