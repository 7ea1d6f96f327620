package dev.billing.gateway;

import com.sun.net.httpserver.HttpServer;
import dev.billing.gateway.client.AccountStatus;
import java.math.BigDecimal;
import java.util.Properties;
import java.util.function.Function;

/**
 * The customer's side of the gateway: the billing API ({@code /v1/billing/*}) and the billing page
 * ({@code /billing}), on the gateway's own port. It reads the account's status from the gateway's
 * copy of {@code account-status}, the slower figures from the job's PostgreSQL tables, recent
 * alerts from {@code billing-alerts}, and sends purchases and settings to {@code account-events}.
 * Start it, pass it to {@link GatewayServer#start}, close it after the server.
 */
public final class BillingApi implements AutoCloseable {
    /** The pricing page: "The minimum credit purchase is $5.00." */
    public static final BigDecimal DEFAULT_MINIMUM_PURCHASE_USD = new BigDecimal("5.00");
    /** Recent alerts kept per account. */
    static final int RECENT_ALERTS = 50;

    /**
     * Where the billing API reads and writes.
     *
     * @param kafkaProperties extra Kafka client properties (TLS, SASL), may be empty
     * @param minimumPurchaseUsd the job's --minimum-purchase: smaller purchases and auto top-ups are refused
     */
    public record Settings(String bootstrapServers, String eventsTopic, String alertsTopic, DatabaseOptions database,
            Properties kafkaProperties, BigDecimal minimumPurchaseUsd, CardPayments payments) {

        /** The job's default topics and minimum purchase, no extra Kafka properties, simulated card payments. */
        public static Settings defaults(String bootstrapServers, DatabaseOptions database) {
            return new Settings(bootstrapServers, "account-events", "billing-alerts", database, new Properties(),
                    DEFAULT_MINIMUM_PURCHASE_USD, CardPayments.SIMULATED);
        }

        public Settings withTopics(String eventsTopic, String alertsTopic) {
            return new Settings(bootstrapServers, eventsTopic, alertsTopic, database, kafkaProperties, minimumPurchaseUsd,
                    payments);
        }
    }

    private final Settings settings;
    private final Function<String, AccountStatus> statuses;
    private final AccountEventPublisher events;
    private final AlertsFollower alertsFollower;
    private final RecentAlerts alerts = new RecentAlerts(RECENT_ALERTS);

    private BillingApi(Settings settings, Function<String, AccountStatus> statuses) {
        this.settings = settings;
        this.statuses = statuses;
        this.events = new AccountEventPublisher(settings.bootstrapServers(), settings.eventsTopic(), settings.kafkaProperties());
        this.alertsFollower = new AlertsFollower(settings.bootstrapServers(), settings.alertsTopic(),
                settings.kafkaProperties(), alerts);
    }

    /**
     * Connects to Kafka and starts following the alerts topic.
     *
     * @param statuses the newest {@code account-status} of an account, or null (e.g. {@code cutoffClient::status})
     */
    public static BillingApi start(Settings settings, Function<String, AccountStatus> statuses) {
        BillingApi api = new BillingApi(settings, statuses);
        api.alertsFollower.start();
        return api;
    }

    /** Adds the API's and the page's handlers to the gateway's server. */
    void register(HttpServer server, Authenticator keys) {
        server.createContext(BillingApiHandler.PATH, new BillingApiHandler(keys, statuses,
                new BillingDatabase(settings.database()), events, alerts, settings.payments(),
                settings.minimumPurchaseUsd()));
        server.createContext(BillingPageHandler.PATH, new BillingPageHandler());
    }

    @Override
    public void close() throws InterruptedException {
        try {
            alertsFollower.close();
        } finally {
            events.close();
        }
    }
}
