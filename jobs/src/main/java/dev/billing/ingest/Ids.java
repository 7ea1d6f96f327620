package dev.billing.ingest;

/**
 * What an id (account, request, event, model, node) must not contain to be stored and keyed.
 * Ids become PostgreSQL {@code text} and Kafka keys (UTF-8 bytes):
 * <ul>
 *   <li>U+0000: PostgreSQL text cannot hold it (SQLSTATE 22021), so the row would fail on every
 *       retry; it is also the separator of {@link dev.billing.model.RateCard#id()}.</li>
 *   <li>An unpaired UTF-16 surrogate (JSON {@code "\ud800"}): not a character, it has no UTF-8
 *       encoding. Java's encoder turns every one of them into {@code ?}, so {@code "a\ud800"} and
 *       {@code "a\udbff"} would be two accounts in the ledger but one Kafka key and one row.</li>
 * </ul>
 */
final class Ids {
    private Ids() {}

    /** Why {@code text} cannot be an id, or null when it can. */
    static String unstorable(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\u0000') {
                return "contains U+0000 (NUL) at index " + i + ", which PostgreSQL text cannot store";
            }
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++; // a pair: one supplementary character such as an emoji
            } else if (Character.isSurrogate(c)) {
                return String.format("contains an unpaired UTF-16 surrogate \\u%04x at index %d, which has no UTF-8 encoding",
                        (int) c, i);
            }
        }
        return null;
    }
}
