package dev.billing.gateway.http;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * One request, its body already read, and its answer: what the endpoints see of HTTP. Every write
 * is asynchronous; the call ends (and its {@link #onEnd} actions run, once) when its last write
 * completes or fails.
 */
public final class HttpCall {
    private final Request request;
    private final Response response;
    private final Callback done;
    private final byte[] body;
    private final AtomicBoolean ended = new AtomicBoolean();
    private final List<Runnable> onEnd = new CopyOnWriteArrayList<>();

    HttpCall(Request request, Response response, Callback done, byte[] body) {
        this.request = request;
        this.response = response;
        this.done = done;
        this.body = body;
    }

    public String method() {
        return request.getMethod();
    }

    public String path() {
        return request.getHttpURI().getDecodedPath();
    }

    /** The query string as sent, or null. */
    public String rawQuery() {
        return request.getHttpURI().getQuery();
    }

    public String header(String name) {
        return request.getHeaders().get(name);
    }

    public void setHeader(String name, String value) {
        response.getHeaders().put(name, value);
    }

    /** The request body, or a 413 error when it is longer than {@code limit} bytes. */
    public byte[] body(int limit) throws ApiError {
        if (body.length > limit) {
            throw tooLarge(limit);
        }
        return body;
    }

    public static ApiError tooLarge(long limit) {
        return new ApiError(413, "invalid_request_error", "request_too_large", null,
                "The request body is larger than " + limit + " bytes.");
    }

    /** Runs when the call ends, however it ends. */
    public void onEnd(Runnable action) {
        onEnd.add(action);
        if (ended.get()) {
            runOnEnd();
        }
    }

    public void json(int status, byte[] json) {
        send(status, "application/json", json);
    }

    /** The whole answer; for HEAD its headers only. */
    public void send(int status, String contentType, byte[] content) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, content.length);
        ByteBuffer buffer = "HEAD".equals(method()) ? ByteBuffer.allocate(0) : ByteBuffer.wrap(content);
        response.write(true, buffer, Callback.from(this::succeeded, this::failed));
    }

    /** Starts an answer of unknown length (chunked): the status and headers go with the first write. */
    public void startStreaming(int status, String contentType) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
    }

    /** Writes part of a streamed answer; {@code whenWritten} hears when the client's socket took it, or why not. */
    public void write(boolean last, ByteBuffer part, Callback whenWritten) {
        response.write(last, part, whenWritten);
    }

    /** Closes the connection under the call: a pending write fails, later writes fail at once. */
    public void abort() {
        EndPoint endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
        endPoint.close();
    }

    /** The answer is complete. */
    public void succeeded() {
        if (ended.compareAndSet(false, true)) {
            try {
                runOnEnd();
            } finally {
                done.succeeded();
            }
        }
    }

    /** The answer could not be completed (the client went away, or the server stops). */
    public void failed(Throwable failure) {
        if (ended.compareAndSet(false, true)) {
            try {
                runOnEnd();
            } finally {
                done.failed(failure);
            }
        }
    }

    private void runOnEnd() {
        for (Runnable action : onEnd) {
            if (onEnd.remove(action)) {
                action.run();
            }
        }
    }
}
