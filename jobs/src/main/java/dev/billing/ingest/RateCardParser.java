package dev.billing.ingest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.billing.model.RateCard;
import dev.billing.model.RejectReason;
import dev.billing.model.SourceRecord;
import java.math.BigDecimal;

/** Parses and validates a {@code rate-cards} message (schemas/rate-card.schema.json). */
public final class RateCardParser implements RecordParser<RateCard> {
    private static final long serialVersionUID = 1L;

    @Override
    public RateCard parse(SourceRecord source, long nowMs) throws Rejection {
        ObjectNode json = JsonFields.object(source.value);
        RateCard card = new RateCard();
        card.model = JsonFields.id(json, "model");
        card.inputUsdPer1m = price(json, "input_usd_per_1m");
        card.outputUsdPer1m = price(json, "output_usd_per_1m");
        card.effectiveFromMs = JsonFields.timestamp(json, "effective_from");
        card.accountId = JsonFields.optionalId(json, "account_id");
        return card;
    }

    private static BigDecimal price(ObjectNode json, String field) throws Rejection {
        BigDecimal value = JsonFields.requiredUsd(json, field);
        if (value.signum() < 0) {
            throw new Rejection(RejectReason.INVALID_AMOUNT, "'" + field + "' must not be negative");
        }
        return value;
    }
}
