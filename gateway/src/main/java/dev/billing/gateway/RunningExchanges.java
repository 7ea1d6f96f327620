package dev.billing.gateway;

import java.time.Duration;
import java.util.concurrent.Executor;

/**
 * The HTTP server's executor, counting the exchanges it runs, so that a shutdown waits for the
 * running ones and no longer: the JDK's {@code HttpServer.stop(delay)} waits the whole delay even
 * when nothing runs (fixed only in later JDKs).
 */
final class RunningExchanges implements Executor {
    private final Executor threads;
    private int running;

    RunningExchanges(Executor threads) {
        this.threads = threads;
    }

    @Override
    public void execute(Runnable exchange) {
        synchronized (this) {
            running++;
        }
        try {
            threads.execute(() -> {
                try {
                    exchange.run();
                } finally {
                    finished();
                }
            });
        } catch (RuntimeException e) {
            finished();
            throw e;
        }
    }

    private synchronized void finished() {
        if (--running == 0) {
            notifyAll();
        }
    }

    synchronized int running() {
        return running;
    }

    /** Waits until no exchange runs, or {@code grace} has passed. */
    synchronized void awaitNone(Duration grace) throws InterruptedException {
        long deadline = System.nanoTime() + grace.toNanos();
        long left;
        while (running > 0 && (left = deadline - System.nanoTime()) > 0) {
            wait(Math.max(1, left / 1_000_000));
        }
    }
}
