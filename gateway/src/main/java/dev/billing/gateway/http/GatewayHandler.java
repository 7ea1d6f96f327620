package dev.billing.gateway.http;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Routes each request to the endpoint of the longest path prefix it starts with, once its body has
 * arrived: the body is read without holding a thread, within {@link HttpLimits#maxBodyBytes()}, and
 * the endpoint then runs on a handler thread. Counts the calls in flight, for a shutdown that lets
 * them finish.
 */
public final class GatewayHandler extends Handler.Abstract {
    private static final System.Logger LOG = System.getLogger(GatewayHandler.class.getName());

    private final Map<String, Endpoint> endpoints = new ConcurrentSkipListMap<>(
            Comparator.comparingInt(String::length).reversed().thenComparing(Comparator.naturalOrder()));
    private final HttpLimits limits;
    private final Executor threads;
    private int inFlight;

    public GatewayHandler(HttpLimits limits, Executor threads) {
        this.limits = limits;
        this.threads = threads;
    }

    /** Answers every request whose path starts with {@code prefix} (longer prefixes first). */
    public void route(String prefix, Endpoint endpoint) {
        endpoints.put(prefix, endpoint);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        started();
        Callback counted = Callback.from(callback, this::finished);
        if (request.getHeaders().size() > limits.maxHeaders()) {
            refuse(request, response, counted, new ApiError(431, "invalid_request_error", "request_header_fields_too_large",
                    null, "More than " + limits.maxHeaders() + " request headers."));
            return true;
        }
        long length = request.getLength();
        if (length > limits.maxBodyBytes()) {
            refuse(request, response, counted, HttpCall.tooLarge(limits.maxBodyBytes()));
            return true;
        }
        CompletableFuture<byte[]> body = Content.Source.asByteArrayAsync(request, limits.maxBodyBytes());
        if (body.isDone()) {
            dispatch(request, response, counted, body);
        } else {
            body.whenCompleteAsync((bytes, failure) -> dispatch(request, response, counted, body), threads);
        }
        return true;
    }

    private void dispatch(Request request, Response response, Callback callback, CompletableFuture<byte[]> body) {
        byte[] bytes;
        try {
            bytes = body.join();
        } catch (RuntimeException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof IOException || cause instanceof TimeoutException) {
                callback.failed(cause); // the client went away, or stopped sending: nobody to answer
            } else {
                refuse(request, response, callback, HttpCall.tooLarge(limits.maxBodyBytes()));
            }
            return;
        }
        HttpCall call = new HttpCall(request, response, callback, bytes);
        String path = call.path();
        Endpoint endpoint = endpoints.entrySet().stream().filter(e -> path.startsWith(e.getKey()))
                .map(Map.Entry::getValue).findFirst().orElse(null);
        try {
            if (endpoint == null) {
                call.json(404, new ApiError(404, "invalid_request_error", "unknown_url", null,
                        "Unknown URL " + request.getMethod() + " " + path + ".").body());
                return;
            }
            endpoint.serve(call);
        } catch (RuntimeException e) {
            // the cause is for the operator's log, never for the customer
            LOG.log(Level.ERROR, "unexpected failure answering " + request.getMethod() + " " + path, e);
            try {
                call.json(500, new ApiError(500, "server_error", "internal_error", null,
                        "The gateway failed to answer; nothing was charged for this request. Retry shortly.").body());
            } catch (RuntimeException again) {
                call.failed(e);
            }
        }
    }

    private static void refuse(Request request, Response response, Callback callback, ApiError error) {
        new HttpCall(request, response, callback, new byte[0]).json(error.status, error.body());
    }

    private synchronized void started() {
        inFlight++;
    }

    private synchronized void finished() {
        if (--inFlight == 0) {
            notifyAll();
        }
    }

    synchronized int inFlight() {
        return inFlight;
    }

    /** Waits until no call is in flight, or {@code grace} has passed. */
    public synchronized void awaitNone(Duration grace) throws InterruptedException {
        long deadline = System.nanoTime() + grace.toNanos();
        long left;
        while (inFlight > 0 && (left = deadline - System.nanoTime()) > 0) {
            wait(Math.max(1, left / 1_000_000));
        }
    }
}
