package dev.billing.gateway.openai;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.billing.gateway.http.HttpCall;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.util.Callback;

/**
 * One completion streamed chunk by chunk at the simulated generation pace, without holding a
 * thread: each chunk is written asynchronously and the next is scheduled when the client's socket
 * took it. A client that stops reading holds a buffer and a socket until the idle timeout drops it.
 * When the content is out, or the client hung up (or the server stops), the usage of the tokens
 * written until then is recorded once, on a handler thread; the finish, the usage chunk and
 * {@code [DONE]} follow only once it is durable.
 */
final class StreamedCompletion {
    /** Makes a stream's usage durable. */
    interface Usage {
        /** Records the usage of {@code completionTokens} sent; the usage object, or null when it could not be made durable. */
        ObjectNode record(long completionTokens);

        /** The stream ended before its finish reached the client. */
        void cutShort();
    }

    private final HttpCall call;
    private final CompletionStream events;
    private final long completionTokens;
    private final String finishReason;
    private final int chunkTokens;
    private final Duration chunkInterval;
    private final ScheduledExecutorService pacer;
    private final Executor threads;
    private final Usage usage;
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile long sent;

    StreamedCompletion(HttpCall call, CompletionStream events, SimulatedInference.Completion completion, int chunkTokens,
            Duration chunkInterval, ScheduledExecutorService pacer, Executor threads, Usage usage) {
        this.call = call;
        this.events = events;
        this.completionTokens = completion.completionTokens();
        this.finishReason = completion.finishReason();
        this.chunkTokens = chunkTokens;
        this.chunkInterval = chunkInterval;
        this.pacer = pacer;
        this.threads = threads;
        this.usage = usage;
    }

    /** Sends the headers and the role chunk; the rest follows on its own. */
    void start() {
        call.startStreaming(200, CompletionStream.CONTENT_TYPE);
        write(events.start(), 0);
    }

    /** Ends the stream where it is (the server stops): its usage is recorded for what was sent. */
    void abort() {
        call.abort();
    }

    private void write(ByteBuffer chunk, int tokens) {
        call.write(false, chunk, Callback.from(() -> {
            sent += tokens;
            next();
        }, failure -> later(() -> end(false, failure))));
    }

    private void next() {
        if (sent >= completionTokens) {
            later(() -> end(true, null));
        } else if (chunkInterval.isZero()) {
            later(this::writeNext);
        } else {
            try {
                pacer.schedule(this::writeNext, chunkInterval.toNanos(), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                later(() -> end(false, e));
            }
        }
    }

    private void writeNext() {
        int tokens = (int) Math.min(chunkTokens, completionTokens - sent);
        write(events.content(SimulatedInference.tokenText(sent, tokens)), tokens);
    }

    private void later(Runnable step) {
        try {
            threads.execute(step);
        } catch (RejectedExecutionException e) {
            step.run(); // the server stops: its threads take no more work, this one ends the stream
        }
    }

    private void end(boolean complete, Throwable failure) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        ObjectNode recorded = usage.record(sent);
        if (recorded == null || !complete) {
            // not durable: the hold stays (it expires) and the stream ends without its finish, so the client sees it cut short
            usage.cutShort();
            if (failure == null) {
                call.succeeded();
            } else {
                call.failed(failure);
            }
            return;
        }
        call.write(true, events.finish(finishReason, recorded), Callback.from(call::succeeded, hungUp -> {
            usage.cutShort(); // hung up after the content: billed in full
            call.failed(hungUp instanceof EofException ? hungUp : new EofException(hungUp));
        }));
    }
}
