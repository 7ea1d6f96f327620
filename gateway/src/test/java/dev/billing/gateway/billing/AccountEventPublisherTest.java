package dev.billing.gateway.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.billing.gateway.http.ApiError;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** What a customer and the operator are told when Kafka does not confirm an account event. */
class AccountEventPublisherTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Nothing listens there: the producer's metadata wait times out. */
    private static final String NO_BROKER = "127.0.0.1:1";

    @Test
    void aSendKafkaDoesNotConfirmIs503WithWhatToDoAndTheCauseOnlyInTheLog() throws Exception {
        Properties quick = new Properties();
        quick.put("max.block.ms", "300");
        List<LogRecord> logged = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                logged.add(r);
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        Logger log = Logger.getLogger(AccountEventPublisher.class.getName());
        log.addHandler(capture);
        try (AccountEventPublisher events = new AccountEventPublisher(NO_BROKER, "account-events", "payment-requests",
                quick)) {
            ApiError error = catchThrowableOfType(ApiError.class, () -> events.send(
                    AccountEventPublisher.event("evt-1", "acct-1", "LIMITS_SET", Instant.parse("2026-03-01T00:00:00Z"))));

            assertThat(error.status).isEqualTo(503);
            JsonNode body = JSON.readTree(error.body());
            String message = body.path("error").path("message").asText();
            assertThat(message).contains("could not be confirmed").contains("Retry the same request");
            assertThat(body.toString()).doesNotContain("127.0.0.1").doesNotContain("Exception")
                    .doesNotContain("org.apache.kafka").doesNotContain("max.block.ms");
        } finally {
            log.removeHandler(capture);
        }
        assertThat(logged).anySatisfy(r -> {
            assertThat(r.getMessage()).contains("account-events").contains("acct-1");
            assertThat(r.getThrown()).as("the cause, with its stack, for the operator").isNotNull();
        });
    }
}
