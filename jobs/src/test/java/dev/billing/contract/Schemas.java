package dev.billing.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion.VersionFlag;
import com.networknt.schema.ValidationMessage;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The JSON Schemas of schemas/, loaded from the classpath as the job ships them. */
public final class Schemas {
    public static final List<String> NAMES = List.of(
            "usage-record", "account-event", "rate-card", "account-status", "dead-letter", "billing-alert", "payment-request");
    static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(VersionFlag.V202012);
    static final SchemaValidatorsConfig CONFIG = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
    private static final Map<String, JsonSchema> LOADED = new ConcurrentHashMap<>();

    private Schemas() {}

    public static JsonSchema schema(String name) {
        if (!NAMES.contains(name)) {
            throw new IllegalArgumentException("no schema named " + name);
        }
        return LOADED.computeIfAbsent(name, n ->
                FACTORY.getSchema(SchemaLocation.of("classpath:schemas/" + n + ".schema.json"), CONFIG));
    }

    /** The violations of {@code json} against the named schema; empty when it conforms. */
    public static Set<ValidationMessage> validate(String name, JsonNode json) {
        return schema(name).validate(json);
    }
}
