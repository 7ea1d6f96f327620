package dev.billing.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * One chat completion written as server-sent events in the OpenAI chunk format: a
 * {@code chat.completion.chunk} per {@code data:} event (the role first, then the content, then
 * the finish reason), with {@code stream_options.include_usage} a last chunk with no choices and
 * the {@code usage}, and {@code data: [DONE]}. Every event is flushed on its own, so a client that
 * hung up is noticed at the next chunk (an {@link IOException}).
 */
final class CompletionStream {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);

    private final HttpExchange exchange;
    private final String id;
    private final String model;
    private final long created;
    private final boolean includeUsage;
    private OutputStream out;

    CompletionStream(HttpExchange exchange, String id, String model, long created, boolean includeUsage) {
        this.exchange = exchange;
        this.id = id;
        this.model = model;
        this.created = created;
        this.includeUsage = includeUsage;
    }

    /** Sends the headers and the first chunk, which names the role. */
    void start() throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.getResponseHeaders().set("X-Request-Id", id);
        exchange.sendResponseHeaders(200, 0); // chunked: the length is not known yet
        out = exchange.getResponseBody();
        ObjectNode chunk = chunk();
        ObjectNode choice = choice(chunk);
        choice.putObject("delta").put("role", "assistant").put("content", "");
        choice.putNull("finish_reason");
        send(chunk);
    }

    /** A chunk of content. */
    void content(String text) throws IOException {
        ObjectNode chunk = chunk();
        ObjectNode choice = choice(chunk);
        choice.putObject("delta").put("content", text);
        choice.putNull("finish_reason");
        send(chunk);
    }

    /** The finish reason, the usage chunk when asked for, and the end of the stream. */
    void finish(String finishReason, ObjectNode usage) throws IOException {
        ObjectNode last = chunk();
        ObjectNode choice = choice(last);
        choice.putObject("delta");
        choice.put("finish_reason", finishReason);
        send(last);
        if (includeUsage) {
            ObjectNode usageChunk = chunk();
            usageChunk.putArray("choices");
            usageChunk.set("usage", usage);
            send(usageChunk);
        }
        out.write(DONE);
        out.flush();
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

    private void send(ObjectNode chunk) throws IOException {
        out.write("data: ".getBytes(StandardCharsets.US_ASCII));
        out.write(JSON.writeValueAsBytes(chunk));
        out.write("\n\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }
}
