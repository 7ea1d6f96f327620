package dev.billing.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The customer side's contract, {@code ../shared/DESIGN.md} ("Customer side"), against the code:
 * every billing endpoint it lists is in the OpenAPI document the gateway serves (and which
 * {@code BillingApiIT} holds the real answers to), with every field it names required there.
 */
class CustomerContractTest {
    private static final Pattern ROW = Pattern.compile("^\\| `(GET|POST|PUT) ([^`?]+)[^`]*` \\| (.*) \\|$");
    private static final Pattern FIELDS = Pattern.compile("`\\{([a-z_, \\[\\]{}:]+)\\}`");

    @Test
    void everyBillingEndpointAndFieldOfTheDesignIsInTheOpenApiDocument() throws Exception {
        JsonNode openApi;
        try (InputStream in = getClass().getResourceAsStream("/billing/billing-openapi.json")) {
            openApi = new ObjectMapper().readTree(in);
        }
        Map<String, String> rows = customerSideRows();
        assertThat(rows.keySet()).as("the design's billing endpoints").contains("GET /v1/billing/balance",
                "GET /v1/billing/usage", "POST /v1/billing/credits", "PUT /v1/billing/limits", "GET /v1/billing/alerts");
        for (Map.Entry<String, String> row : rows.entrySet()) {
            String[] endpoint = row.getKey().split(" ");
            if (!endpoint[1].startsWith("/v1/billing/")) {
                continue; // chat, models and the page are not the billing API's; their own tests hold them
            }
            JsonNode operation = openApi.path("paths").path(endpoint[1]).path(endpoint[0].toLowerCase());
            assertThat(operation.isMissingNode()).as(row.getKey() + " in the OpenAPI document").isFalse();
            Matcher fields = FIELDS.matcher(row.getValue());
            if (fields.find() && endpoint[0].equals("GET")) {
                List<String> named = names(fields.group(1));
                JsonNode schema = resolve(openApi, operation.path("responses").path("200").path("content")
                        .path("application/json").path("schema"));
                if (schema.path("properties").has("data")) {
                    schema = resolve(openApi, schema.path("properties").path("data").path("items"));
                }
                List<String> required = new ArrayList<>();
                schema.path("required").forEach(n -> required.add(n.asText()));
                assertThat(required).as(row.getKey() + ": the fields the design names").containsAll(named);
            }
        }
    }

    /** The endpoint rows of DESIGN.md's customer-side table, "METHOD /path" -> what. */
    private static Map<String, String> customerSideRows() throws Exception {
        Path design = Path.of("..", "..", "shared", "DESIGN.md");
        assertThat(design).as("the product contract next to the repository (CI copies it there)").exists();
        List<String> lines = Files.readAllLines(design);
        int start = lines.indexOf(lines.stream().filter(l -> l.startsWith("## Customer side")).findFirst().orElseThrow());
        Map<String, String> rows = new LinkedHashMap<>();
        for (String line : lines.subList(start + 1, lines.size())) {
            if (line.startsWith("## ")) {
                break;
            }
            Matcher m = ROW.matcher(line);
            if (m.matches()) {
                rows.put(m.group(1) + " " + m.group(2), m.group(3));
            }
        }
        return rows;
    }

    /** The top-level field names of "{a, b, data: [{c, d}]}" that are not containers. */
    private static List<String> names(String inner) {
        String flat = inner.replaceAll("[a-z_]+: \\[\\{", "").replaceAll("[\\[\\]{}]", "");
        List<String> out = new ArrayList<>();
        for (String part : flat.split(",")) {
            if (!part.isBlank()) {
                out.add(part.strip());
            }
        }
        return out;
    }

    private static JsonNode resolve(JsonNode openApi, JsonNode schema) {
        String ref = schema.path("$ref").asText("");
        return ref.isEmpty() ? schema : openApi.at(ref.substring(1));
    }
}
