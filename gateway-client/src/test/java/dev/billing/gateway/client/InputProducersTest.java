package dev.billing.gateway.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class InputProducersTest {

    @Test
    void theOrderingSettingsWinOverAnOperatorsExtraProperties() {
        Properties p = InputProducers.properties("broker:9092", Map.of(
                "max.in.flight.requests.per.connection", "5", "acks", "1", "enable.idempotence", "false",
                "compression.type", "zstd"));
        assertThat(p).containsEntry("max.in.flight.requests.per.connection", "1")
                .containsEntry("acks", "all")
                .containsEntry("enable.idempotence", "true")
                .containsEntry("bootstrap.servers", "broker:9092")
                .containsEntry("compression.type", "zstd");
    }
}
