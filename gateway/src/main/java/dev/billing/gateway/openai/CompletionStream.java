package dev.billing.gateway.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * One chat completion written as server-sent events in the OpenAI chunk format: a
 * {@code chat.completion.chunk} per {@code data:} event (the role first, then the content, then
 * the finish reason), with {@code stream_options.include_usage} a last chunk with no choices and
 * the {@code usage}, and {@code data: [DONE]}. Each method gives the bytes of its events, for the
 * caller to write (and flush) on its own.
 */
final class CompletionStream {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);

    private final String id;
    private final String model;
    private final long created;
    private final boolean includeUsage;

    CompletionStream(String id, String model, long created, boolean includeUsage) {
        this.id = id;
        this.model = model;
        this.created = created;
        this.includeUsage = includeUsage;
    }

    /** The answer's content type. */
    static final String CONTENT_TYPE = "text/event-stream; charset=utf-8";

    /** The first chunk, which names the role. */
    ByteBuffer start() {
        ObjectNode chunk = chunk();
        ObjectNode choice = choice(chunk);
        choice.putObject("delta").put("role", "assistant").put("content", "");
        choice.putNull("finish_reason");
        return ByteBuffer.wrap(event(chunk));
    }

    /** A chunk of content. */
    ByteBuffer content(String text) {
        ObjectNode chunk = chunk();
        ObjectNode choice = choice(chunk);
        choice.putObject("delta").put("content", text);
        choice.putNull("finish_reason");
        return ByteBuffer.wrap(event(chunk));
    }

    /** The finish reason, the usage chunk when asked for, and the end of the stream. */
    ByteBuffer finish(String finishReason, ObjectNode usage) {
        ObjectNode last = chunk();
        ObjectNode choice = choice(last);
        choice.putObject("delta");
        choice.put("finish_reason", finishReason);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(event(last));
        if (includeUsage) {
            ObjectNode usageChunk = chunk();
            usageChunk.putArray("choices");
            usageChunk.set("usage", usage);
            out.writeBytes(event(usageChunk));
        }
        out.writeBytes(DONE);
        return ByteBuffer.wrap(out.toByteArray());
    }

    private ObjectNode chunk() {
        ObjectNode chunk = JSON.createObjectNode();
        chunk.put("id", id);
        chunk.put("object", "chat.completion.chunk");
        chunk.put("created", created);
        chunk.put("model", model);
        chunk.putNull("system_fingerprint");
        if (includeUsage) {
            // as OpenAI does: every chunk has the field, null until the last one
            chunk.putNull("usage");
        }
        return chunk;
    }

    private static ObjectNode choice(ObjectNode chunk) {
        ObjectNode choice = chunk.putArray("choices").addObject();
        choice.put("index", 0);
        choice.putNull("logprobs");
        return choice;
    }

    private static byte[] event(ObjectNode chunk) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("data: ".getBytes(StandardCharsets.US_ASCII));
        try {
            out.writeBytes(JSON.writeValueAsBytes(chunk));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        out.writeBytes("\n\n".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }
}
