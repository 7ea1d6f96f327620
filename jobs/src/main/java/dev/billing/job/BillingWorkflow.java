package dev.billing.job;

import dev.billing.ingest.AccountEventParser;
import dev.billing.ingest.DefaultRateCard;
import dev.billing.ingest.ParseFunction;
import dev.billing.ingest.RateCardParser;
import dev.billing.ingest.UsageRecordParser;
import dev.billing.ledger.AccountLedger;
import dev.billing.ledger.LedgerSettings;
import dev.billing.model.AccountEvent;
import dev.billing.model.AccountStatus;
import dev.billing.model.DeadLetter;
import dev.billing.model.LedgerInput;
import dev.billing.model.RateCard;
import dev.billing.model.SourceRecord;
import dev.billing.model.UsageRecord;
import java.io.Serializable;
import java.math.BigDecimal;
import java.time.Duration;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The billing job's graph, with its sources and sinks passed in:
 *
 * <pre>
 * usage-records  -> parse --\
 *                            union -> keyBy(account_id) -> ledger (+ broadcast rate cards) -> status, rollups, balances, alerts, payment requests
 * account-events -> parse --/
 * rate-cards     -> parse -> broadcast
 * every parse and the ledger -> dead letters
 * </pre>
 */
public final class BillingWorkflow {

    /** The rules of the parse steps and the ledger. */
    public static final class Settings implements Serializable {
        private static final long serialVersionUID = 1L;
        public final LedgerSettings ledger;
        public final BigDecimal minimumPurchaseUsd;
        public final Duration maxFutureSkew;
        /** Replaying the topics after the fact (reconciliation): judge records by their Kafka timestamps. */
        public final boolean replay;

        public Settings(LedgerSettings ledger, BigDecimal minimumPurchaseUsd, Duration maxFutureSkew) {
            this(ledger, minimumPurchaseUsd, maxFutureSkew, false);
        }

        private Settings(LedgerSettings ledger, BigDecimal minimumPurchaseUsd, Duration maxFutureSkew, boolean replay) {
            this.ledger = ledger;
            this.minimumPurchaseUsd = minimumPurchaseUsd;
            this.maxFutureSkew = maxFutureSkew;
            this.replay = replay;
        }

        public Settings forReplay() {
            return new Settings(ledger, minimumPurchaseUsd, maxFutureSkew, true);
        }

        /** A bounded replay in batch mode: the ledger sees one account at a time. */
        public Settings forBatchReplay() {
            return new Settings(ledger.keyContiguous(), minimumPurchaseUsd, maxFutureSkew, true);
        }

        public static Settings defaults() {
            return new Settings(LedgerSettings.defaults(), new BigDecimal("5.00"), Duration.ofHours(1));
        }
    }

    private BillingWorkflow() {}

    public static void defineWorkflow(StreamExecutionEnvironment env, BillingSources sources, BillingSinks sinks,
            Settings settings) {
        SingleOutputStreamOperator<UsageRecord> usage = sources.usageRecords(env)
                .process(new ParseFunction<>(new UsageRecordParser(settings.maxFutureSkew), settings.replay),
                        TypeInformation.of(UsageRecord.class))
                .uid("parse-usage-records").name("parse usage records");
        SingleOutputStreamOperator<AccountEvent> events = sources.accountEvents(env)
                .process(new ParseFunction<>(new AccountEventParser(settings.minimumPurchaseUsd), settings.replay),
                        TypeInformation.of(AccountEvent.class))
                .uid("parse-account-events").name("parse account events");
        SingleOutputStreamOperator<RateCard> rates = sources.rateCards(env)
                .process(new ParseFunction<>(new RateCardParser(), settings.replay), TypeInformation.of(RateCard.class))
                .uid("parse-rate-cards").name("parse rate cards");

        DataStream<LedgerInput> ledgerInput = usage
                .map(LedgerInput::of, TypeInformation.of(LedgerInput.class)).name("usage to ledger input")
                .union(events.map(LedgerInput::of, TypeInformation.of(LedgerInput.class)).name("event to ledger input"));

        SingleOutputStreamOperator<AccountStatus> ledger = ledgerInput
                .keyBy(LedgerInput::accountId)
                .connect(rates.broadcast())
                .transform("account ledger", TypeInformation.of(AccountStatus.class), new AccountLedger(
                        sources.inputDrift() == null ? settings.ledger : settings.ledger.withInputDrift(sources.inputDrift()),
                        DefaultRateCard.load()))
                .uid("account-ledger");

        ledger.sinkTo(sinks.accountStatus()).uid("sink-account-status").name("account-status");
        // the JDBC sinks in tasks of their own: a batch write to PostgreSQL does not stall the ledger
        // (and the cutoffs behind it); uids unchanged, so savepoints still map
        ledger.getSideOutput(AccountLedger.ROLLUPS).sinkTo(sinks.usageHourly())
                .uid("sink-usage-hourly").name("usage_hourly").disableChaining();
        ledger.getSideOutput(AccountLedger.BALANCES).sinkTo(sinks.accountBalance())
                .uid("sink-account-balance").name("account_balance").disableChaining();
        // the exactly-once sinks commit their Kafka transactions when a checkpoint completes, a
        // round trip to the broker each: in tasks of their own it is not the ledger's thread that waits
        ledger.getSideOutput(AccountLedger.ALERTS).sinkTo(sinks.alerts()).uid("sink-billing-alerts").name("billing-alerts")
                .disableChaining();
        ledger.getSideOutput(AccountLedger.PAYMENT_REQUESTS).sinkTo(sinks.paymentRequests())
                .uid("sink-payment-requests").name("payment-requests").disableChaining();

        DataStream<DeadLetter> deadLetters = usage.getSideOutput(ParseFunction.DEAD_LETTERS)
                .union(events.getSideOutput(ParseFunction.DEAD_LETTERS),
                        rates.getSideOutput(ParseFunction.DEAD_LETTERS),
                        ledger.getSideOutput(AccountLedger.DEAD_LETTERS));
        deadLetters.sinkTo(sinks.deadLetters()).uid("sink-dead-letters").name("billing-dlq");
    }
}
