package dev.billing.bench;

import java.util.function.Consumer;

/** What the benchmark prints while it runs: phases, and lines within them, with the time since the start. */
public final class Console implements Consumer<String> {
    private final long start = System.nanoTime();
    private int phase;

    public void phase(String title) {
        phase++;
        line("");
        line("== " + phase + ". " + title);
    }

    @Override
    public void accept(String text) {
        line(text);
    }

    private void line(String text) {
        long s = (System.nanoTime() - start) / 1_000_000_000L;
        System.out.printf("[%02d:%02d] %s%n", s / 60, s % 60, text);
        System.out.flush();
    }
}
