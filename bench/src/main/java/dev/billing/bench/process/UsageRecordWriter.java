package dev.billing.bench.process;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.billing.model.UsageRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * Writes a parsed usage record back out as its contract JSON, field by field with a streaming
 * generator: the passthrough's serialize step, as cheap as the parse it follows.
 */
final class UsageRecordWriter {
    /** Thread-safe, so one for the JVM. */
    private static final JsonFactory JSON = new JsonFactory();

    private UsageRecordWriter() {}

    static byte[] write(UsageRecord r) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("request_id", r.requestId);
            g.writeStringField("account_id", r.accountId);
            g.writeStringField("model", r.model);
            g.writeObjectFieldStart("usage");
            g.writeNumberField("prompt_tokens", r.promptTokens);
            g.writeNumberField("completion_tokens", r.completionTokens);
            g.writeNumberField("total_tokens", r.totalTokens);
            g.writeEndObject();
            g.writeStringField("completed_at", Instant.ofEpochMilli(r.completedAtMs).toString());
            if (r.nodeId != null) {
                g.writeStringField("node_id", r.nodeId);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return out.toByteArray();
    }
}
