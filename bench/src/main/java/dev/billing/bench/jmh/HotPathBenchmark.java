package dev.billing.bench.jmh;

import dev.billing.ingest.InputTime;
import dev.billing.ingest.UsageRecordParser;
import dev.billing.ledger.MonthSpend;
import dev.billing.model.RateCard;
import dev.billing.model.SourceRecord;
import dev.billing.model.UsageRecord;
import dev.billing.ingest.DefaultRateCard;
import dev.billing.pricing.Pricing;
import dev.billing.pricing.RateBook;
import dev.billing.pricing.VolumeDiscount;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The per-record work of the billing job without Kafka or Flink state, one thread: parse and
 * validate the JSON ({@link UsageRecordParser}), find the rate in force ({@link RateBook}), price
 * it ({@link Pricing}) and charge it to the account's month with its volume discount
 * ({@link VolumeDiscount}), as the ledger does. One operation is one record, so the score is
 * records per second per core.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class HotPathBenchmark {
    private SourceRecord[] messages;
    private UsageRecordParser parser;
    private final InputTime inputTime = InputTime.ofUsage();
    private RateBook rates;
    private Map<String, Account> accounts;
    private long now;
    private int next;

    @Setup
    public void setUp() {
        now = System.currentTimeMillis();
        messages = BenchmarkMessages.build(now);
        parser = new UsageRecordParser(Duration.ofHours(1));
        rates = new RateBook();
        for (RateCard card : DefaultRateCard.load()) {
            rates.add(card);
        }
        accounts = new HashMap<>();
        for (int rank = 0; rank < BenchmarkMessages.ACCOUNTS; rank++) {
            accounts.put("acct-" + rank, account(rank % 10 == 0));
        }
    }

    /**
     * The money the charge moves, as the ledger's {@code AccountState} holds it (credits, spend, the
     * month's spend, the volume tiers), without the ledger's state access and bookkeeping.
     */
    private static final class Account {
        final BigDecimal creditsUsd = new BigDecimal("1005.00");
        BigDecimal spendUsd = BigDecimal.ZERO;
        final MonthSpend month = new MonthSpend();
        final BigDecimal[] discountAboveUsd;
        final BigDecimal[] discountPercent;

        Account(BigDecimal[] discountAboveUsd, BigDecimal[] discountPercent) {
            month.listUsd = BigDecimal.ZERO;
            month.chargedUsd = BigDecimal.ZERO;
            this.discountAboveUsd = discountAboveUsd;
            this.discountPercent = discountPercent;
        }
    }

    /** An open account; every tenth an enterprise one with the pricing page's volume tiers. */
    private static Account account(boolean enterprise) {
        return enterprise
                ? new Account(new BigDecimal[] {new BigDecimal("100.00"), new BigDecimal("1000.00")},
                        new BigDecimal[] {new BigDecimal("10"), new BigDecimal("15")})
                : new Account(new BigDecimal[0], new BigDecimal[0]);
    }

    private SourceRecord nextMessage() {
        return messages[next++ & (BenchmarkMessages.MESSAGES - 1)];
    }

    /** Parse and validate only: the part the passthrough job also pays (in Jackson's tree form). */
    @Benchmark
    public UsageRecord parse() throws Exception {
        return parser.parse(nextMessage(), now);
    }

    /**
     * Reading a record's event time in its source, for the watermark alignment of the input topics
     * ({@link InputTime}: a streaming scan to {@code completed_at}): paid per record on top of the parse.
     */
    @Benchmark
    public long inputTime() {
        return inputTime.of(nextMessage());
    }

    /** Parse, price, charge: the billing job's per-record work, without state access. */
    @Benchmark
    public boolean parsePriceCharge() throws Exception {
        UsageRecord r = parser.parse(nextMessage(), now);
        RateCard rate = rates.rateFor(r.accountId, r.model, r.completedAtMs);
        BigDecimal listCost = Pricing.cost(rate, r.promptTokens, r.completionTokens);
        Account s = accounts.get(r.accountId);
        BigDecimal charged = VolumeDiscount.charged(s.month.listUsd, listCost, s.discountAboveUsd, s.discountPercent);
        s.month.listUsd = s.month.listUsd.add(listCost);
        s.month.chargedUsd = s.month.chargedUsd.add(charged);
        s.spendUsd = s.spendUsd.add(charged);
        return s.creditsUsd.subtract(s.spendUsd).signum() <= 0; // the block decision
    }
}
