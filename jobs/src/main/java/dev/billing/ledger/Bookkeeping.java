package dev.billing.ledger;

/**
 * What the ledger keeps about an account besides its money and terms: where its billing window
 * stands, the status it last published, its versions, its month-start timer, whether the next
 * flush owes a status, and the oldest entry of each map state, so that expiry scans only when
 * something is due. No billing rule reads it to price or charge.
 */
public final class Bookkeeping {
    /**
     * The newest input time accepted ({@code completed_at} or {@code occurred_at}, capped at the
     * job's clock); the billing window is measured back from it, so downtime and backlogs do not
     * shorten the window.
     */
    private long newestInputMs;
    /** Bit set of the {@link dev.billing.model.BlockReason}s of the last status; 0 is ACTIVE. */
    private int blockMask;
    /** The last version given to this account's status or rows (see {@link VersionClock}). */
    private long version;
    /** The run (task start) that gave {@link #version}; another value means state restored since. */
    private long versionRun;
    /** The clock reading when {@link #version} was given, to detect a restore onto a clock behind it. */
    private long versionClockMs;
    /** Processing time of the pending month-start timer (only while a monthly limit blocks), 0 when none. */
    private long monthStartTimerMs;
    /** The oldest hour in {@code hourly-rollups}, {@link Long#MAX_VALUE} when there is none. */
    private long oldestRollupHourMs;
    /** The oldest month in {@code past-month-spend}, {@link Integer#MAX_VALUE} when there is none. */
    private int oldestPastMonth;
    /** The oldest input time among the ids in {@code seen-ids}, {@link Long#MAX_VALUE} when there is none. */
    private long oldestSeenMs;
    /** Balance or month spend moved since the last status: the next flush publishes one. */
    private boolean statusBehind;
    /**
     * The {@code usage-records} partition and offset of the newest usage input the ledger has
     * taken for the account (billed, a resend, or rejected), -1 before the first: the status names
     * it, so a gateway knows which of the usage it reported a published balance already covers.
     */
    private int usagePartition;
    private long usageOffset;

    /** Numbers 0, the oldest markers none: only for the empty {@link AccountState} Flink asks for ({@code createInstance}); a read state is built whole. */
    Bookkeeping() {
        this(0, 0, 0, 0, 0, 0, Long.MAX_VALUE, Integer.MAX_VALUE, Long.MAX_VALUE, false, -1, -1);
    }

    public Bookkeeping(long newestInputMs, int blockMask, long version, long versionRun, long versionClockMs,
            long monthStartTimerMs, long oldestRollupHourMs, int oldestPastMonth, long oldestSeenMs, boolean statusBehind,
            int usagePartition, long usageOffset) {
        this.newestInputMs = newestInputMs;
        this.blockMask = blockMask;
        this.version = version;
        this.versionRun = versionRun;
        this.versionClockMs = versionClockMs;
        this.monthStartTimerMs = monthStartTimerMs;
        this.oldestRollupHourMs = oldestRollupHourMs;
        this.oldestPastMonth = oldestPastMonth;
        this.oldestSeenMs = oldestSeenMs;
        this.statusBehind = statusBehind;
        this.usagePartition = usagePartition;
        this.usageOffset = usageOffset;
    }

    /** A new account's: no input yet, ACTIVE, never versioned, no timer, nothing in its map states. */
    static Bookkeeping fresh() {
        return new Bookkeeping(Long.MIN_VALUE, 0, 0, 0, 0, 0, Long.MAX_VALUE, Integer.MAX_VALUE, Long.MAX_VALUE, false,
                -1, -1);
    }

    // the billing window

    public long newestInputMs() {
        return newestInputMs;
    }

    /** The oldest input time still accepted: {@code windowMs} behind the newest input, or no bound before the first. */
    long oldestAcceptedMs(long windowMs) {
        return newestInputMs == Long.MIN_VALUE ? Long.MIN_VALUE : newestInputMs - windowMs;
    }

    /** Moves the newest input time; a time ahead of the clock counts as the clock. */
    void accepted(long inputTimeMs, long nowMs) {
        newestInputMs = Math.max(newestInputMs, Math.min(inputTimeMs, nowMs));
    }

    // the status

    public int blockMask() {
        return blockMask;
    }

    /** A status with {@code mask} goes out now. */
    void statusPublished(int mask) {
        blockMask = mask;
        statusBehind = false;
    }

    public boolean statusBehind() {
        return statusBehind;
    }

    /** The balance moved without a new status: the next flush owes one. */
    void statusFellBehind() {
        statusBehind = true;
    }

    // the usage taken

    public int usagePartition() {
        return usagePartition;
    }

    public long usageOffset() {
        return usageOffset;
    }

    /** A usage input was taken (billed or not): the next status names its position. */
    void usageTaken(int partition, long offset) {
        usagePartition = partition;
        usageOffset = offset;
    }

    // versions (given by VersionClock)

    public long version() {
        return version;
    }

    public long versionRun() {
        return versionRun;
    }

    public long versionClockMs() {
        return versionClockMs;
    }

    void versioned(long version, long run, long clockMs) {
        this.version = version;
        this.versionRun = run;
        this.versionClockMs = clockMs;
    }

    // the month-start timer

    /** When the account's month-start timer fires, 0 when it has none. */
    public long monthStartTimerMs() {
        return monthStartTimerMs;
    }

    void monthStartTimer(long timeMs) {
        monthStartTimerMs = timeMs;
    }

    // the oldest entry of each map state, so that expiry scans only when one is due

    public long oldestRollupHourMs() {
        return oldestRollupHourMs;
    }

    void rollupStored(long hourStartMs) {
        oldestRollupHourMs = Math.min(oldestRollupHourMs, hourStartMs);
    }

    void rollupsExpired(long oldestKeptHourMs) {
        oldestRollupHourMs = oldestKeptHourMs;
    }

    public int oldestPastMonth() {
        return oldestPastMonth;
    }

    void pastMonthStored(int month) {
        oldestPastMonth = Math.min(oldestPastMonth, month);
    }

    void pastMonthsExpired(int oldestKeptMonth) {
        oldestPastMonth = oldestKeptMonth;
    }

    public long oldestSeenMs() {
        return oldestSeenMs;
    }

    void idRemembered(long inputTimeMs) {
        oldestSeenMs = Math.min(oldestSeenMs, inputTimeMs);
    }

    void idsExpired(long oldestKeptMs) {
        oldestSeenMs = oldestKeptMs;
    }
}
