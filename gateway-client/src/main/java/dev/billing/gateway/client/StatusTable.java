package dev.billing.gateway.client;

import dev.billing.gateway.client.TopicFollower.Outcome;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The newest known status of every account, in memory, with its decision ready. The status topic
 * is delivered at least once and may replay or reorder an account's messages (a job restored from
 * a checkpoint republishes), so a message replaces the known status only when its version is
 * higher: an older or repeated version is stale and ignored. Lookups are lock-free; updates may
 * come from any thread.
 */
public final class StatusTable implements CutoffCheck {
    private final ConcurrentHashMap<String, Decision> byAccount = new ConcurrentHashMap<>();
    private final AtomicLong blocked = new AtomicLong();
    private final PaymentRequiredBody body;

    public StatusTable(PaymentRequiredBody body) {
        this.body = body;
    }

    public StatusTable() {
        this(new PaymentRequiredBody());
    }

    /**
     * A message of the status topic: a status, or a tombstone (null value) that forgets the account.
     *
     * @throws IllegalArgumentException when the value is not a status
     */
    Outcome apply(byte[] key, byte[] value) {
        if (value == null) {
            // a tombstone: the account's status was deleted from the compacted topic
            if (key != null) {
                forget(new String(key, StandardCharsets.UTF_8));
            }
            return Outcome.APPLIED;
        }
        return apply(AccountStatus.fromJson(value));
    }

    /** Keeps {@code status} if it is newer than the account's known status. */
    public Outcome apply(AccountStatus status) {
        Decision candidate = Decision.of(status, body);
        Decision kept = byAccount.compute(status.accountId(), (account, known) -> {
            if (known != null && known.status().version() >= status.version()) {
                return known;
            }
            countBlocked(known, -1);
            countBlocked(candidate, +1);
            return candidate;
        });
        return kept == candidate ? Outcome.APPLIED : Outcome.STALE;
    }

    /**
     * True when {@code status} is newer than the account's known status, which blocks, and does not
     * block: applying it would let the account be served.
     */
    public boolean unblocks(AccountStatus status) {
        Decision known = byAccount.get(status.accountId());
        return known != null && !known.allowed() && !status.blocked() && known.status().version() < status.version();
    }

    /** The version of the account's known status when it blocks the account, else -1. */
    long blockingVersion(String accountId) {
        Decision known = byAccount.get(accountId);
        return known != null && !known.allowed() ? known.status().version() : -1;
    }

    /** Forgets the account if its known status is still at most {@code version} (a tombstone read after it). */
    void forget(String accountId, long version) {
        byAccount.computeIfPresent(accountId, (account, known) -> {
            if (known.status().version() > version) {
                return known;
            }
            countBlocked(known, -1);
            return null;
        });
    }

    /** Forgets the account (a tombstone on the compacted topic): it is unknown again. */
    public void forget(String accountId) {
        byAccount.computeIfPresent(accountId, (account, known) -> {
            countBlocked(known, -1);
            return null;
        });
    }

    private void countBlocked(Decision d, long delta) {
        if (d != null && !d.allowed()) {
            blocked.addAndGet(delta);
        }
    }

    /** The decision of the newest known status, or {@link Decision#UNKNOWN_ACCOUNT}. */
    @Override
    public Decision check(String accountId) {
        Decision d = byAccount.get(accountId);
        return d == null ? Decision.UNKNOWN_ACCOUNT : d;
    }

    /** The newest known status of the account, or null. */
    public AccountStatus status(String accountId) {
        Decision d = byAccount.get(accountId);
        return d == null ? null : d.status();
    }

    public int size() {
        return byAccount.size();
    }

    /** Accounts whose newest known status is BLOCKED. */
    public long blockedCount() {
        return blocked.get();
    }
}
