package dev.billing.gateway.openai;

import dev.billing.gateway.client.admission.Admission;
import dev.billing.gateway.client.admission.Reservations;
import dev.billing.gateway.client.admission.ReservationsUnavailable;
import dev.billing.gateway.client.usage.UsageJournal;
import dev.billing.gateway.client.usage.UsageNotDurable;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

/**
 * The reference gateway's usage: each record written to the {@link UsageJournal} on the local disk
 * before the response completes, then delivered to {@code usage-records}; once the broker has it,
 * the request's hold on the balance becomes its cost at the record's position
 * ({@link Admission#delivered}). At start, what a previous process left undelivered is held again
 * at its cost, the holds of its requests that never completed are released, and the records go out.
 */
public final class JournaledUsageSink implements UsageSink {
    private static final System.Logger LOG = System.getLogger(JournaledUsageSink.class.getName());

    private final UsageJournal journal;
    private final Admission admission;

    private JournaledUsageSink(UsageJournal journal, Admission admission) {
        this.journal = journal;
        this.admission = admission;
    }

    /**
     * Opens the journal in {@code dir}, reclaims the holds of the previous process of this gateway,
     * and starts delivering.
     */
    public static JournaledUsageSink start(Path dir, String bootstrapServers, String topic, Properties kafka,
            int maxUndelivered, Admission admission) throws IOException, ReservationsUnavailable {
        UsageJournal journal = UsageJournal.open(dir, bootstrapServers, topic, kafka, maxUndelivered, deliveries -> {
            try {
                admission.delivered(deliveries.stream().map(d -> new Reservations.Settlement(d.entry().requestId(),
                        d.entry().accountId(), d.entry().costUsd(), d.position())).toList());
            } catch (ReservationsUnavailable e) {
                // the requests' worst cases stay held until they expire: the accounts can spend less, never more
                LOG.log(Level.WARNING, "could not settle " + deliveries.size() + " holds: " + e.getMessage());
            }
        });
        try {
            List<Reservations.Undelivered> undelivered = journal.undeliveredAtOpen().values().stream()
                    .map(e -> new Reservations.Undelivered(e.requestId(), e.accountId(), e.costUsd())).toList();
            admission.reservations().reclaim(admission.gatewayId(), undelivered);
        } catch (ReservationsUnavailable | RuntimeException e) {
            closeQuietly(journal);
            throw e;
        }
        journal.start();
        return new JournaledUsageSink(journal, admission);
    }

    private static void closeQuietly(UsageJournal journal) {
        try {
            journal.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Records a previous process left, delivered again at this start. */
    public int replayedAtStart() {
        return journal.undeliveredAtOpen().size();
    }

    @Override
    public void record(UsageRecord record, BigDecimal costUsd) throws UsageNotDurable {
        // before the append: its delivery may be settled before append returns
        admission.completed(record.requestId(), record.accountId());
        try {
            journal.append(new UsageJournal.Entry(record.requestId(), record.accountId(), costUsd, record.toJson()));
        } catch (UsageNotDurable e) {
            admission.notCompleted(record.requestId());
            throw e;
        }
    }

    @Override
    public boolean accepting() {
        return journal.accepting();
    }

    @Override
    public long undelivered() {
        return journal.undelivered();
    }

    public UsageJournal journal() {
        return journal;
    }

    @Override
    public void close() throws InterruptedException {
        journal.close();
    }
}
