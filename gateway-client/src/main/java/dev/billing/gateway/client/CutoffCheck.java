package dev.billing.gateway.client;

/** Whether an account may be served now. Implementations answer from memory, without I/O. */
@FunctionalInterface
public interface CutoffCheck {
    Decision check(String accountId);
}
