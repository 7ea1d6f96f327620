package dev.billing.it;

import java.nio.charset.StandardCharsets;

/** A message the test sends; {@code expectedReason} is the DLQ reason it must get, null when valid. */
public record TestMessage(String topic, String key, byte[] value, String expectedReason) {
    public static TestMessage valid(String topic, String key, String json) {
        return new TestMessage(topic, key, json.getBytes(StandardCharsets.UTF_8), null);
    }

    public static TestMessage bad(String topic, String key, String text, String reason) {
        return new TestMessage(topic, key, text == null ? null : text.getBytes(StandardCharsets.UTF_8), reason);
    }
}
