package dev.billing.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion.VersionFlag;
import com.networknt.schema.ValidationMessage;
import dev.billing.ingest.AccountEventParser;
import dev.billing.ingest.RateCardParser;
import dev.billing.ingest.RecordParser;
import dev.billing.ingest.Rejection;
import dev.billing.ingest.UsageRecordParser;
import dev.billing.model.AccountStatus;
import dev.billing.model.DeadLetter;
import dev.billing.model.RejectReason;
import dev.billing.model.SourceRecord;
import dev.billing.output.MessageJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The schemas in schemas/ against their examples, the real parsers and the real output payloads. */
class ContractTest {
    private static final Path EXAMPLES = Paths.get("..", "schemas", "examples");
    private static final List<String> SCHEMAS = Schemas.NAMES;
    private static final Map<String, RecordParser<?>> PARSERS = Map.of(
            "usage-record", new UsageRecordParser(Duration.ofDays(36500)),
            "account-event", new AccountEventParser(new BigDecimal("5.00")),
            "rate-card", new RateCardParser());
    private static final long NOW = Instant.parse("2026-03-01T12:00:00.123Z").toEpochMilli();

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonSchemaFactory FACTORY = Schemas.FACTORY;
    private static final SchemaValidatorsConfig CONFIG = Schemas.CONFIG;

    @ParameterizedTest(name = "{0}")
    @MethodSource("schemaNames")
    void schemaIsDocumented(String name) {
        JsonNode doc = schema(name).getSchemaNode();
        Set<ValidationMessage> meta = FACTORY
                .getSchema(SchemaLocation.of("https://json-schema.org/draft/2020-12/schema"), CONFIG)
                .validate(doc);
        assertThat(meta).isEmpty();
        assertThat(doc.path("$schema").asText()).isEqualTo("https://json-schema.org/draft/2020-12/schema");
        assertThat(doc.path("$id").asText()).endsWith("/" + name + ".schema.json");
        assertThat(doc.path("title").asText()).isNotBlank();
        assertThat(doc.path("description").asText()).isNotBlank();
        assertThat(undocumentedProperties(doc, "")).isEmpty();
        assertThat(doc.path("examples")).isNotEmpty();
        assertThat(EXAMPLES.resolve(name + ".json")).isRegularFile();
    }

    @ParameterizedTest(name = "{0} example {1}")
    @MethodSource("embeddedExamples")
    void embeddedExampleIsValid(String name, int index, JsonNode example) throws IOException {
        assertValidAndAccepted(name, MAPPER.writeValueAsBytes(example));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validExamples")
    void validExampleIsValid(Path file) throws IOException {
        assertValidAndAccepted(schemaNameOf(file), Files.readAllBytes(file));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidExamples")
    void invalidExampleIsInvalidAndRejected(Path file) throws IOException {
        String name = schemaNameOf(file);
        byte[] bytes = Files.readAllBytes(file);
        assertThat(validate(name, bytes)).as("schema errors").isNotEmpty();

        RecordParser<?> parser = PARSERS.get(name);
        if (parser != null) {
            SourceRecord source = new SourceRecord(name + "s", 2, 41, NOW - 5, "acct-42".getBytes(StandardCharsets.UTF_8), bytes);
            Rejection rejection = catchThrowableOfType(Rejection.class, () -> parser.parse(source, NOW));
            assertThat(rejection).as("parser rejection").isNotNull();
            byte[] deadLetter = MessageJson.deadLetter(new DeadLetter(source, rejection.reason(), rejection.getMessage(), NOW));
            assertThat(validate("dead-letter", deadLetter)).isEmpty();
        }
    }

    @Test
    void everyParsedSchemaHasInvalidExamples() {
        for (String name : PARSERS.keySet()) {
            assertThat(invalidExamples()).as(name).anySatisfy(f -> assertThat(schemaNameOf(f)).isEqualTo(name));
        }
    }

    @Test
    void schemaEnumsNameExactlyTheTypesAndReasonsOfTheCode() {
        assertThat(enumOf("account-event", "type"))
                .containsExactlyInAnyOrder(names(dev.billing.model.AccountEventType.values()));
        assertThat(enumOf("dead-letter", "reason")).containsExactlyInAnyOrder(names(RejectReason.values()));
    }

    @Test
    void realAlertsAreValid() {
        dev.billing.model.BillingAlert alert = new dev.billing.model.BillingAlert();
        alert.alertId = "acct-42/SPEND_THRESHOLD/2026-11/50.00";
        alert.accountId = "acct-42";
        alert.type = dev.billing.model.BillingAlert.SPEND_THRESHOLD;
        alert.thresholdUsd = new BigDecimal("50.00");
        alert.month = "2026-11";
        alert.monthSpendUsd = new BigDecimal("50.0000000000000001");
        alert.balanceUsd = new BigDecimal("-0.4625");
        alert.occurredAtMs = NOW;
        assertThat(validate("billing-alert", MessageJson.alert(alert))).isEmpty();
    }

    @Test
    void realPaymentRequestsAreValid() {
        dev.billing.model.PaymentRequest r = new dev.billing.model.PaymentRequest();
        r.requestId = "acct-42/AUTO_TOPUP/7";
        r.accountId = "acct-42";
        r.amountUsd = new BigDecimal("10");
        r.belowUsd = new BigDecimal("0");
        r.balanceUsd = new BigDecimal("-0.000000000000000375");
        r.occurredAtMs = NOW;
        assertThat(validate("payment-request", MessageJson.paymentRequest(r))).isEmpty();
        r.belowUsd = new BigDecimal("2.5");
        r.balanceUsd = new BigDecimal("2.499999");
        assertThat(validate("payment-request", MessageJson.paymentRequest(r))).isEmpty();
    }

    private static List<String> enumOf(String schema, String property) {
        List<String> out = new ArrayList<>();
        schema(schema).getSchemaNode().path("properties").path(property).path("enum").forEach(n -> out.add(n.asText()));
        return out;
    }

    private static String[] names(Enum<?>[] values) {
        return Stream.of(values).map(Enum::name).toArray(String[]::new);
    }

    @Test
    void realAccountStatusesAreValid() {
        assertThat(validate("account-status", MessageJson.status(status(AccountStatus.ACTIVE, null, "", "5", "0"))))
                .isEmpty();
        assertThat(validate("account-status", MessageJson.status(
                status(AccountStatus.ACTIVE, null, "", "1234.5", "0.000000000375")))).isEmpty();
        assertThat(validate("account-status", MessageJson.status(
                status(AccountStatus.BLOCKED, "BALANCE_EXHAUSTED", "BALANCE_EXHAUSTED", "-0.000000123456", "5.000000123456"))))
                .isEmpty();
        assertThat(validate("account-status", MessageJson.status(
                status(AccountStatus.BLOCKED, "MONTHLY_LIMIT", "MONTHLY_LIMIT", "20.00", "100.00")))).isEmpty();
        assertThat(validate("account-status", MessageJson.status(status(AccountStatus.BLOCKED, "BALANCE_EXHAUSTED",
                "BALANCE_EXHAUSTED,MONTHLY_LIMIT", "-3.1", "100.000001")))).isEmpty();
    }

    @Test
    void realDeadLettersAreValid() {
        byte[] key = "acct-42".getBytes(StandardCharsets.UTF_8);
        byte[] text = "{\"request_id\":\"r1\",\"usage\":{\"prompt_tokens\":-1}}".getBytes(StandardCharsets.UTF_8);
        byte[] notUtf8 = {(byte) 0xc3, (byte) 0x28, '{'};
        List<SourceRecord> sources = List.of(
                new SourceRecord("usage-records", 0, 0, NOW - 1, key, text),
                new SourceRecord("account-events", 11, 9_000_000_000L, -1, null, notUtf8),
                new SourceRecord("rate-cards", 3, 17, NOW, null, null),
                new SourceRecord("usage-records", 1, 5, NOW, key, new byte[0]));
        for (RejectReason reason : RejectReason.values()) {
            for (SourceRecord source : sources) {
                byte[] json = MessageJson.deadLetter(new DeadLetter(source, reason, "detail of " + reason, NOW));
                assertThat(validate("dead-letter", json)).as(reason + " " + source).isEmpty();
            }
        }
    }

    private static void assertValidAndAccepted(String name, byte[] bytes) {
        assertThat(validate(name, bytes)).as("schema errors").isEmpty();
        RecordParser<?> parser = PARSERS.get(name);
        if (parser != null) {
            SourceRecord source = new SourceRecord(name + "s", 0, 0, 0, null, bytes);
            assertThatCode(() -> parser.parse(source, System.currentTimeMillis())).doesNotThrowAnyException();
        }
    }

    private static AccountStatus status(String status, String reason, String reasons, String balance, String monthSpend) {
        AccountStatus s = new AccountStatus();
        s.accountId = "acct-42";
        s.status = status;
        s.reason = reason;
        s.reasons = reasons;
        s.balanceUsd = new BigDecimal(balance);
        s.monthSpendUsd = new BigDecimal(monthSpend);
        s.version = NOW * 1000 + 7;
        s.asOfMs = NOW;
        return s;
    }

    private static List<String> undocumentedProperties(JsonNode node, String path) {
        List<String> missing = new ArrayList<>();
        node.path("properties").fields().forEachRemaining(p -> {
            String at = path + "/" + p.getKey();
            if (p.getValue().path("description").asText().isBlank()) {
                missing.add(at);
            }
            missing.addAll(undocumentedProperties(p.getValue(), at));
        });
        return missing;
    }

    private static Set<ValidationMessage> validate(String name, byte[] json) {
        try {
            return schema(name).validate(MAPPER.readTree(json));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonSchema schema(String name) {
        return Schemas.schema(name);
    }

    private static String schemaNameOf(Path file) {
        String base = file.getFileName().toString().replaceFirst("\\.json$", "");
        int variant = base.indexOf("--");
        return variant < 0 ? base : base.substring(0, variant);
    }

    static Stream<String> schemaNames() {
        return SCHEMAS.stream();
    }

    static Stream<Arguments> embeddedExamples() {
        return SCHEMAS.stream().flatMap(name -> {
            JsonNode examples = schema(name).getSchemaNode().path("examples");
            List<Arguments> out = new ArrayList<>();
            for (int i = 0; i < examples.size(); i++) {
                out.add(Arguments.of(name, i, examples.get(i)));
            }
            return out.stream();
        });
    }

    static List<Path> validExamples() {
        return jsonFiles(EXAMPLES);
    }

    static List<Path> invalidExamples() {
        return jsonFiles(EXAMPLES.resolve("invalid"));
    }

    private static List<Path> jsonFiles(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
