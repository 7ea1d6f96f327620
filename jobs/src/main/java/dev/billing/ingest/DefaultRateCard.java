package dev.billing.ingest;

import dev.billing.model.RateCard;
import dev.billing.model.SourceRecord;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The list prices of the public pricing page, shipped as {@code default-rate-card.json}: data,
 * parsed where the job starts and handed to the ledger, like any rate card from the topic.
 */
public final class DefaultRateCard {
    public static final String RESOURCE = "/default-rate-card.json";

    private DefaultRateCard() {}

    public static List<RateCard> load() {
        ObjectMapper mapper = new ObjectMapper();
        RateCardParser parser = new RateCardParser();
        try (InputStream in = DefaultRateCard.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the job jar");
            }
            List<RateCard> cards = new ArrayList<>();
            for (JsonNode line : mapper.readTree(in)) {
                SourceRecord source = new SourceRecord(RESOURCE, 0, cards.size(), 0L, null, mapper.writeValueAsBytes(line));
                cards.add(parser.parse(source, 0L));
            }
            return cards;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Rejection r) {
            throw new IllegalStateException(RESOURCE + " is invalid: " + r.getMessage(), r);
        }
    }
}
