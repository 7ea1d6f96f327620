package dev.billing.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.billing.gateway.billing.BillingApiHandler;
import java.io.InputStream;
import java.util.Set;

/**
 * Checks a real answer of the billing API against billing-openapi.json: the operation exists, the
 * status is one it declares, and the body is valid against that response's schema (OpenAPI 3.1
 * schemas are JSON Schema 2020-12; the document itself is the root, so its $refs resolve).
 */
final class OpenApiCheck {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final JsonNode document;

    OpenApiCheck() {
        try (InputStream in = OpenApiCheck.class.getClassLoader().getResourceAsStream(BillingApiHandler.OPENAPI)) {
            document = JSON.readTree(in);
        } catch (Exception e) {
            throw new IllegalStateException("cannot read " + BillingApiHandler.OPENAPI, e);
        }
        assertThat(document.path("openapi").asText()).startsWith("3.1");
    }

    JsonNode document() {
        return document;
    }

    void check(String method, String pathAndQuery, int status, String body) throws Exception {
        String path = pathAndQuery.split("\\?", 2)[0];
        JsonNode operation = document.path("paths").path(path).path(method.toLowerCase());
        if (operation.isMissingNode()) {
            // e.g. a wrong method: the document declares no such operation, and the answer must say so
            assertThat(status).as(method + " " + path + " is not in the OpenAPI document").isIn(404, 405);
            assertThat(JSON.readTree(body).has("error")).isTrue();
            return;
        }
        JsonNode response = operation.path("responses").path(Integer.toString(status));
        assertThat(response.isMissingNode()).as(method + " " + path + " answered " + status + ", which the OpenAPI"
                + " document does not declare: " + body).isFalse();
        JsonNode schemaRef = response.path("content").path("application/json").path("schema");
        ObjectNode root = document.deepCopy();
        root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        root.set("$ref", schemaRef.has("$ref") ? schemaRef.get("$ref") : JSON.valueToTree("#/paths/"
                + path.replace("~", "~0").replace("/", "~1") + "/" + method.toLowerCase() + "/responses/" + status
                + "/content/application~1json/schema"));
        JsonSchema schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(root);
        Set<ValidationMessage> errors = schema.validate(JSON.readTree(body));
        assertThat(errors).as(method + " " + pathAndQuery + " " + status + " " + body).isEmpty();
    }
}
