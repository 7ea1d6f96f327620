package dev.billing.convert;

import static org.assertj.core.api.Assertions.assertThat;

import dev.billing.ledger.AccountState;
import dev.billing.ledger.Bookkeeping;
import dev.billing.ledger.UsageRollup;
import dev.billing.model.UtcMonths;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.junit.jupiter.api.Test;

/**
 * Release 0.1's account layout, read from bytes its own {@code AccountStateSerializer} wrote
 * ({@code golden/account-state/release-0.1-layout.bytes}: one account with every field set, written
 * by {@code golden/account-state/WriteRelease01Account.java.txt} on the classes of ebd4a31), and what
 * the conversion makes of it.
 */
class Release01AccountTest {
    private static final Path GOLDEN = Path.of("src/test/resources/golden/account-state");

    @Test
    void everyFieldOfReleaseZeroOnesLayoutIsReadAndEveryByteConsumed() throws Exception {
        DataInputDeserializer in = new DataInputDeserializer(Files.readAllBytes(GOLDEN.resolve("release-0.1-layout.bytes")));
        Release01Account read = Release01AccountSerializer.INSTANCE.deserialize(in);
        assertThat(in.available()).as("bytes left").isZero();

        AccountState s = read.state();
        assertThat(s.money().creditsUsd()).isEqualTo(new BigDecimal("25.00"));
        assertThat(s.money().spendUsd()).isEqualTo(new BigDecimal("3.12345678"));
        assertThat(s.money().currentMonth()).isEqualTo(24323);
        assertThat(s.money().month().listUsd).isEqualTo(new BigDecimal("3.50000000"));
        assertThat(s.money().month().chargedUsd).isEqualTo(new BigDecimal("3.12345678"));
        assertThat(s.money().lastTopUpUsd()).isEqualTo(new BigDecimal("20.00"));
        assertThat(s.money().topUps()).isEqualTo(2);
        assertThat(s.terms().monthlyHardLimitUsd()).isEqualTo(new BigDecimal("3.00"));
        assertThat(s.terms().alertThresholdsUsd()).containsExactly(new BigDecimal("1.00"), new BigDecimal("2.50"));
        assertThat(s.terms().discountAboveUsd()).containsExactly(new BigDecimal("1.00"));
        assertThat(s.terms().discountPercent()).containsExactly(new BigDecimal("12.5"));
        assertThat(s.terms().autoTopUpBelowUsd()).isNull();
        assertThat(s.sent().alertedUpToUsd()).isEqualTo(new BigDecimal("2.50"));
        assertThat(s.sent().alertedMonth()).isEqualTo(24323);
        assertThat(s.sent().lowBalanceAlerted()).isTrue();
        assertThat(s.sent().topUpRequested()).isFalse();
        Bookkeeping b = s.bookkeeping();
        assertThat(b.newestInputMs()).isEqualTo(1796540400000L);
        assertThat(b.blockMask()).isEqualTo(2);
        assertThat(b.version()).isEqualTo(1796540400123456L);
        assertThat(b.versionRun()).as("no run of this build's").isZero();
        assertThat(b.versionClockMs()).isEqualTo(1796540400123L);
        assertThat(b.oldestRollupHourMs()).isEqualTo(1796536800000L);
        assertThat(b.oldestPastMonth()).isEqualTo(24322);
        assertThat(b.oldestSeenMs()).isEqualTo(Long.MAX_VALUE);
        UsageRollup r = s.openRollups().all().get(0);
        assertThat(s.openRollups().size()).isEqualTo(1);
        assertThat(r.model).isEqualTo("llama-3.3-70b");
        assertThat(r.hourStartMs).isEqualTo(1796540400000L);
        assertThat(new long[] {r.requests, r.promptTokens, r.completionTokens}).containsExactly(7, 7000, 700);
        assertThat(r.costUsd).isEqualTo(new BigDecimal("0.00123400"));
        assertThat(r.listCostUsd).isEqualTo(new BigDecimal("0.00140000"));
        assertThat(read.flushAtMs()).isEqualTo(1796540401000L);
        assertThat(read.rolloverAtMs()).isEqualTo(1798761600000L);
    }

    /** A monthly-blocked account owing a flush, with remembered ids, as the ledger of this build keeps it. */
    @Test
    void theConversionKeepsTheMonthStartOfAMonthlyBlockAFlushOwedAndTheIdsSeenAtItsTime() throws Exception {
        Release01Account read = Release01AccountSerializer.INSTANCE.deserialize(
                new DataInputDeserializer(Files.readAllBytes(GOLDEN.resolve("release-0.1-layout.bytes"))));
        long seenAt = 1796600000000L;
        Bookkeeping b = new Release01LedgerReader(seenAt).translated(read, false).bookkeeping();
        assertThat(b.monthStartTimerMs()).isEqualTo(UtcMonths.startMs(24324)).isEqualTo(read.rolloverAtMs());
        assertThat(b.statusBehind()).as("the flush owed publishes the balance").isTrue();
        assertThat(b.oldestSeenMs()).isEqualTo(seenAt);
        assertThat(new Release01LedgerReader(seenAt).translated(read, true).bookkeeping().oldestSeenMs())
                .as("no ids").isEqualTo(Long.MAX_VALUE);
    }

    /** Release 0.1's snapshot, and only that one, lets the conversion read its layout. */
    @Test
    void onlyReleaseZeroOnesSnapshotResolves() throws Exception {
        var reader = new Release01AccountSerializer.Snapshot();
        assertThat(reader.resolveSchemaCompatibility(snapshot("format-1.release-0.1.snapshot")).isCompatibleAsIs()).isTrue();
        assertThat(reader.resolveSchemaCompatibility(snapshot("format-2.snapshot")).isIncompatible()).isTrue();
    }

    @SuppressWarnings("unchecked")
    private static TypeSerializerSnapshot<Release01Account> snapshot(String file) throws Exception {
        return (TypeSerializerSnapshot<Release01Account>) (TypeSerializerSnapshot<?>) TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(Files.readAllBytes(GOLDEN.resolve(file))), Release01AccountTest.class.getClassLoader());
    }
}
