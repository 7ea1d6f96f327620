package dev.billing.gateway.client;

import static org.assertj.core.api.Assertions.fail;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polls a condition until it holds or its deadline passes. */
final class Await {
    private static final long POLL_MS = 20;

    private Await() {}

    static void until(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out after " + timeout + " waiting for: " + what);
            }
            Thread.sleep(POLL_MS); // the polling interval of the condition
        }
    }
}
