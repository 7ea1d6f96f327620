package dev.billing.pricing;

import java.math.BigDecimal;

/**
 * Enterprise volume discounts on monthly list spend: each tier takes {@code percent} off the part
 * of the month's list spend above {@code aboveUsd}. A record that straddles a tier boundary is
 * split there, so the discount starts exactly at the boundary.
 */
public final class VolumeDiscount {
    private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);

    private VolumeDiscount() {}

    /**
     * What the customer pays for {@code listCost} of usage when the month's list spend before it
     * is {@code listSpendBefore}. {@code aboveUsd} ascending, {@code percent} aligned with it.
     */
    public static BigDecimal charged(BigDecimal listSpendBefore, BigDecimal listCost, BigDecimal[] aboveUsd,
            BigDecimal[] percent) {
        if (aboveUsd == null || aboveUsd.length == 0) {
            return listCost;
        }
        BigDecimal end = listSpendBefore.add(listCost);
        BigDecimal position = listSpendBefore;
        BigDecimal charged = BigDecimal.ZERO;
        for (BigDecimal boundary : aboveUsd) {
            if (boundary.compareTo(position) > 0 && boundary.compareTo(end) < 0) {
                charged = charged.add(segment(position, boundary, aboveUsd, percent));
                position = boundary;
            }
        }
        return charged.add(segment(position, end, aboveUsd, percent));
    }

    /** The charge for list spend from {@code from} to {@code to}, all in one tier. */
    private static BigDecimal segment(BigDecimal from, BigDecimal to, BigDecimal[] aboveUsd, BigDecimal[] percent) {
        BigDecimal off = BigDecimal.ZERO;
        for (int i = 0; i < aboveUsd.length; i++) {
            if (from.compareTo(aboveUsd[i]) >= 0) {
                off = percent[i];
            }
        }
        return to.subtract(from).multiply(HUNDRED.subtract(off)).divide(HUNDRED);
    }
}
