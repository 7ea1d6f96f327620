package dev.billing.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.billing.gateway.client.BlockReason;
import dev.billing.gateway.client.admission.ContextWindows;
import dev.billing.gateway.client.admission.ModelRate;
import dev.billing.gateway.client.admission.RateCards;
import dev.billing.gateway.openai.PricedModels;
import dev.billing.gateway.openai.UsageRecord;
import dev.billing.ingest.DefaultRateCard;
import dev.billing.ingest.Rejection;
import dev.billing.ingest.UsageRecordParser;
import dev.billing.model.RateCard;
import dev.billing.model.SourceRecord;
import dev.billing.output.MessageJson;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The gateway's messages against the billing job's own code: what one writes, the other reads. */
class ContractTest {

    @Test
    void theJobParsesTheUsageRecordsTheGatewayEmits() throws Exception {
        Instant completed = Instant.parse("2026-03-01T12:00:03.250Z");
        UsageRecord sent = new UsageRecord("chatcmpl-1", "acct-42", "deepseek-v3", 1250, 320, completed, "gateway-1");

        dev.billing.model.UsageRecord parsed = new UsageRecordParser(Duration.ofHours(1)).parse(
                new SourceRecord("usage-records", 0, 0, 0, "acct-42".getBytes(), sent.toJson()),
                completed.toEpochMilli());

        assertThat(parsed.requestId).isEqualTo("chatcmpl-1");
        assertThat(parsed.accountId).isEqualTo("acct-42");
        assertThat(parsed.model).isEqualTo("deepseek-v3");
        assertThat(parsed.promptTokens).isEqualTo(1250);
        assertThat(parsed.completionTokens).isEqualTo(320);
        assertThat(parsed.totalTokens).isEqualTo(1570);
        assertThat(parsed.completedAtMs).isEqualTo(completed.toEpochMilli());
        assertThat(parsed.nodeId).isEqualTo("gateway-1");
    }

    @Test
    void theJobBillsTheLargestRequestTheGatewayAdmitsAndNoContextWindowIsAllowedBeyondIt() throws Exception {
        Instant completed = Instant.parse("2026-03-01T12:00:03.250Z");
        UsageRecordParser parser = new UsageRecordParser(Duration.ofHours(1));
        long prompt = 1_000;
        // a context window of the job's bound admits a request of at most that many tokens in all
        long bound = new ContextWindows(ContextWindows.MAX_TOKENS, java.util.Map.of())
                .completionBound("deepseek-v3", prompt, null);
        UsageRecord atBound = new UsageRecord("chatcmpl-2", "acct-42", "deepseek-v3", prompt, bound, completed, "gateway-1");
        UsageRecord beyond = new UsageRecord("chatcmpl-3", "acct-42", "deepseek-v3", prompt, bound + 1, completed,
                "gateway-1");

        dev.billing.model.UsageRecord parsed = parser.parse(
                new SourceRecord("usage-records", 0, 0, 0, "acct-42".getBytes(), atBound.toJson()), completed.toEpochMilli());

        assertThat(parsed.totalTokens).isEqualTo(ContextWindows.MAX_TOKENS);
        assertThatThrownBy(() -> parser.parse(
                new SourceRecord("usage-records", 0, 1, 0, "acct-42".getBytes(), beyond.toJson()), completed.toEpochMilli()))
                .isInstanceOf(Rejection.class);
        // what the gateway refuses is exactly what the job would dead-letter
        assertThatThrownBy(() -> new ContextWindows(ContextWindows.MAX_TOKENS + 1, java.util.Map.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theGatewayPricesAtTheJobsListPrices() {
        RateCards gateway = RateCards.listPrices();
        for (RateCard card : DefaultRateCard.load()) {
            ModelRate rate = gateway.rateAt("any-account", card.model, Instant.now());
            assertThat(rate.inputUsdPer1m()).as(card.model).isEqualByComparingTo(card.inputUsdPer1m);
            assertThat(rate.outputUsdPer1m()).as(card.model).isEqualByComparingTo(card.outputUsdPer1m);
        }
    }

    @Test
    void theGatewayServesTheModelsOfTheJobsDefaultRateCard() {
        List<RateCard> card = DefaultRateCard.load();

        assertThat(PricedModels.IDS).containsExactlyInAnyOrderElementsOf(
                card.stream().filter(c -> c.accountId == null).map(c -> c.model).collect(Collectors.toList()));
        assertThat(card).allSatisfy(c -> assertThat(c.effectiveFromMs).isEqualTo(PricedModels.PRICED_SINCE.toEpochMilli()));
        assertThat(GatewaySettings.local("n").models()).allSatisfy(m -> assertThat(PricedModels.priced(m)).isTrue());
    }

    @Test
    void theJobBillsAUsageRecordThatNamesItsKey() throws Exception {
        Instant completed = Instant.parse("2026-03-01T12:00:03.250Z");
        UsageRecord sent = new UsageRecord("chatcmpl-2", "acct-42", "llama-3.1-8b", 10, 20, completed, "gateway-1",
                "key_9f86d081884c7d65");

        dev.billing.model.UsageRecord parsed = new UsageRecordParser(Duration.ofHours(1)).parse(
                new SourceRecord("usage-records", 0, 0, 0, "acct-42".getBytes(), sent.toJson()),
                completed.toEpochMilli());

        assertThat(new String(sent.toJson())).contains("\"key_id\":\"key_9f86d081884c7d65\"");
        assertThat(parsed.requestId).isEqualTo("chatcmpl-2");
        assertThat(parsed.accountId).isEqualTo("acct-42");
        assertThat(parsed.totalTokens).isEqualTo(30);
    }

    @Test
    void theClientReadsTheStatusesTheJobPublishes() {
        dev.billing.model.AccountStatus published = new dev.billing.model.AccountStatus();
        published.accountId = "acct-42";
        published.status = dev.billing.model.AccountStatus.BLOCKED;
        published.reason = "BALANCE_EXHAUSTED";
        published.reasons = "BALANCE_EXHAUSTED,MONTHLY_LIMIT";
        published.balanceUsd = new BigDecimal("-0.000042");
        published.monthSpendUsd = new BigDecimal("100.000042");
        published.version = 1772367011250000L;
        published.asOfMs = Instant.parse("2026-03-01T12:10:11.250Z").toEpochMilli();

        dev.billing.gateway.client.AccountStatus read =
                dev.billing.gateway.client.AccountStatus.fromJson(MessageJson.status(published));

        assertThat(read.accountId()).isEqualTo("acct-42");
        assertThat(read.blocked()).isTrue();
        assertThat(read.reasons()).containsExactly(BlockReason.BALANCE_EXHAUSTED, BlockReason.MONTHLY_LIMIT);
        assertThat(read.balanceUsd()).isEqualByComparingTo("-0.000042");
        assertThat(read.monthSpendUsd()).isEqualByComparingTo("100.000042");
        assertThat(read.version()).isEqualTo(1772367011250000L);
        assertThat(read.asOf()).isEqualTo(Instant.parse("2026-03-01T12:10:11.250Z"));

        published.status = dev.billing.model.AccountStatus.ACTIVE;
        published.reason = null;
        published.reasons = "";
        published.version++;
        dev.billing.gateway.client.AccountStatus active =
                dev.billing.gateway.client.AccountStatus.fromJson(MessageJson.status(published));
        assertThat(active.blocked()).isFalse();
        assertThat(active.reasons()).isEmpty();
    }
}
