package dev.billing.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

class RunningExchangesTest {

    @Test
    void aShutdownWaitsForTheRunningExchangeAndNotForAnIdleServer() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            RunningExchanges exchanges = new RunningExchanges(threads);
            exchanges.awaitNone(Duration.ofMinutes(1)); // idle: returns at once, or the test times out

            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            exchanges.execute(() -> {
                started.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            started.await();
            exchanges.awaitNone(Duration.ofMillis(50)); // the grace passes while it runs
            assertThat(exchanges.running()).isEqualTo(1);

            release.countDown();
            exchanges.awaitNone(Duration.ofMinutes(1));
            assertThat(exchanges.running()).isZero();
        } finally {
            threads.shutdownNow();
        }
    }
}
