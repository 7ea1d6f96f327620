package dev.billing.gateway.billing;

import dev.billing.gateway.Authenticator;
import dev.billing.gateway.DatabaseOptions;
import dev.billing.gateway.client.AccountStatus;
import dev.billing.gateway.http.GatewayHandler;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.function.Function;

/**
 * The customer's side of the gateway: the billing API ({@code /v1/billing/*}) and the billing page
 * ({@code /billing}), on the gateway's own port. It reads the account's status from the gateway's
 * copy of {@code account-status}, the slower figures from the job's PostgreSQL tables, recent
 * alerts from {@code billing-alerts}, recent purchases from {@code payment-requests} and
 * {@code account-events}; it sends settings to {@code account-events} and purchases, as payment
 * requests, to {@code payment-requests}: it never credits an account itself, the payments service
 * does once the charge succeeds. Start it, pass it to {@link GatewayServer#start}, close it after
 * the server.
 */
public final class BillingApi implements AutoCloseable {
    /** The pricing page: "The minimum credit purchase is $5.00." */
    public static final BigDecimal DEFAULT_MINIMUM_PURCHASE_USD = new BigDecimal("5.00");
    /** Recent alerts kept per account. */
    static final int RECENT_ALERTS = 50;
    /**
     * Accounts whose recent alerts are kept, those alerted or asked for most recently: with
     * {@link #RECENT_ALERTS} each, at most 100 000 alerts in memory.
     */
    static final int ALERTED_ACCOUNTS = 2_000;
    /** How far back the alerts answered by GET /v1/billing/alerts go, and the alerts topic is read from at start. */
    static final Duration ALERTS_WINDOW = Duration.ofDays(30);
    /** Recent payment requests kept per account. */
    static final int RECENT_PURCHASES = 20;
    /** How far back the purchases answered by GET /v1/billing/credits go. */
    static final Duration PURCHASES_WINDOW = Duration.ofDays(1);

    /**
     * Where the billing API reads and writes.
     *
     * @param kafkaProperties extra Kafka client properties (TLS, SASL), may be empty
     * @param minimumPurchaseUsd the job's --minimum-purchase: smaller purchases and auto top-ups are refused
     */
    public record Settings(String bootstrapServers, String eventsTopic, String alertsTopic,
            String paymentRequestsTopic, DatabaseOptions database, Properties kafkaProperties,
            BigDecimal minimumPurchaseUsd) {

        /** The job's default topics and minimum purchase, no extra Kafka properties. */
        public static Settings defaults(String bootstrapServers, DatabaseOptions database) {
            return new Settings(bootstrapServers, "account-events", "billing-alerts", "payment-requests", database,
                    new Properties(), DEFAULT_MINIMUM_PURCHASE_USD);
        }

        public Settings withTopics(String eventsTopic, String alertsTopic, String paymentRequestsTopic) {
            return new Settings(bootstrapServers, eventsTopic, alertsTopic, paymentRequestsTopic, database,
                    kafkaProperties, minimumPurchaseUsd);
        }
    }

    private final Settings settings;
    private final Function<String, AccountStatus> statuses;
    private final AccountEventPublisher events;
    private final BillingDatabase database;
    private final TopicTail alertsTail;
    private final TopicTail purchasesTail;
    private final RecentAlerts alerts = new RecentAlerts(RECENT_ALERTS, ALERTED_ACCOUNTS, ALERTS_WINDOW,
            Clock.systemUTC());
    private final RecentPurchases purchases = new RecentPurchases(RECENT_PURCHASES, PURCHASES_WINDOW);

    private BillingApi(Settings settings, Function<String, AccountStatus> statuses) {
        this.settings = settings;
        this.statuses = statuses;
        this.events = new AccountEventPublisher(settings.bootstrapServers(), settings.eventsTopic(),
                settings.paymentRequestsTopic(), settings.kafkaProperties());
        this.database = BillingDatabase.pooled(settings.database());
        // the alerts of the last 30 days; purchases of the last day, on both topics they go through
        this.alertsTail = new TopicTail(settings.bootstrapServers(), settings.kafkaProperties(), "billing-api-alerts",
                List.of(settings.alertsTopic()), ALERTS_WINDOW, (topic, alert, at) -> alerts.add(alert, at));
        this.purchasesTail = new TopicTail(settings.bootstrapServers(), settings.kafkaProperties(),
                "billing-api-purchases", List.of(settings.paymentRequestsTopic(), settings.eventsTopic()),
                PURCHASES_WINDOW, (topic, message, at) -> {
                    if (topic.equals(settings.paymentRequestsTopic())) {
                        purchases.onPaymentRequest(message);
                    } else {
                        purchases.onAccountEvent(message);
                    }
                });
    }

    /**
     * Connects to Kafka and starts following the alerts topic.
     *
     * @param statuses the newest {@code account-status} of an account, or null (e.g. {@code cutoffClient::status})
     */
    public static BillingApi start(Settings settings, Function<String, AccountStatus> statuses) {
        BillingApi api = new BillingApi(settings, statuses);
        api.alertsTail.start();
        api.purchasesTail.start();
        return api;
    }

    /** Adds the API's and the page's handlers to the gateway's server. */
    public void register(GatewayHandler routes, Authenticator keys) {
        routes.route(BillingApiHandler.PATH, new BillingApiHandler(keys, statuses,
                database, events, alerts, purchases, settings.minimumPurchaseUsd()));
        routes.route(BillingPageHandler.PATH, new BillingPageHandler());
    }

    @Override
    public void close() throws InterruptedException {
        try {
            alertsTail.close();
            purchasesTail.close();
        } finally {
            try {
                events.close();
            } finally {
                database.close();
            }
        }
    }
}
