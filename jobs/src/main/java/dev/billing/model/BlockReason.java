package dev.billing.model;

/** Why an account is BLOCKED. An account stays blocked while any reason holds. */
public enum BlockReason {
    BALANCE_EXHAUSTED,
    MONTHLY_LIMIT;

    public int bit() {
        return 1 << ordinal();
    }

    /** Comma-separated names of the reasons in {@code mask}, in declaration order. */
    public static String names(int mask) {
        StringBuilder out = new StringBuilder();
        for (BlockReason r : values()) {
            if ((mask & r.bit()) != 0) {
                out.append(out.length() == 0 ? "" : ",").append(r.name());
            }
        }
        return out.toString();
    }

    public static BlockReason first(int mask) {
        for (BlockReason r : values()) {
            if ((mask & r.bit()) != 0) {
                return r;
            }
        }
        return null;
    }
}
