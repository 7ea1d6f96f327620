package dev.billing.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.billing.model.RejectReason;
import dev.billing.model.SourceRecord;
import dev.billing.model.UsageRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The streaming read's own cases: fields in any order, unknown values of any shape skipped.
 * Rejections of malformed messages (a key twice in 'usage', a second document, a truncated one)
 * are in the bad-input corpus.
 */
class UsageRecordParserTest {
    private static final long NOW = Instant.parse("2026-11-29T12:00:00Z").toEpochMilli();
    private static final String AT = "2026-11-29T11:00:00Z";
    private static final String CANONICAL = "{\"request_id\":\"r1\",\"account_id\":\"acct\",\"model\":\"llama-3.1-8b\","
            + "\"usage\":{\"prompt_tokens\":125,\"completion_tokens\":320,\"total_tokens\":445},"
            + "\"completed_at\":\"" + AT + "\",\"node_id\":\"n1\"}";

    private final UsageRecordParser parser = new UsageRecordParser(Duration.ofHours(1));

    @Test
    void theCanonicalMessageGivesEveryField() throws Rejection {
        UsageRecord r = parse(CANONICAL);
        assertThat(r.requestId).isEqualTo("r1");
        assertThat(r.accountId).isEqualTo("acct");
        assertThat(r.model).isEqualTo("llama-3.1-8b");
        assertThat(r.promptTokens).isEqualTo(125);
        assertThat(r.completionTokens).isEqualTo(320);
        assertThat(r.totalTokens).isEqualTo(445);
        assertThat(r.completedAtMs).isEqualTo(Instant.parse(AT).toEpochMilli());
        assertThat(r.nodeId).isEqualTo("n1");
    }

    @Test
    void fieldsInAnyOrderGiveTheSameRecord() throws Rejection {
        String reversed = "{\"node_id\":\"n1\",\"completed_at\":\"" + AT + "\","
                + "\"usage\":{\"total_tokens\":445,\"completion_tokens\":320,\"prompt_tokens\":125},"
                + "\"model\":\"llama-3.1-8b\",\"account_id\":\"acct\",\"request_id\":\"r1\"}";
        String usageFirst = "{\"usage\":{\"completion_tokens\":320,\"total_tokens\":445,\"prompt_tokens\":125},"
                + "\"account_id\":\"acct\",\"node_id\":\"n1\",\"request_id\":\"r1\",\"completed_at\":\"" + AT + "\","
                + "\"model\":\"llama-3.1-8b\"}";
        UsageRecord expected = parse(CANONICAL);
        for (String json : new String[] {reversed, usageFirst}) {
            assertThat(parse(json)).as(json).usingRecursiveComparison().ignoringFields("source").isEqualTo(expected);
        }
    }

    @Test
    void unknownValuesOfAnyShapeAreSkippedAtTheTopLevelAndInUsage() throws Rejection {
        // the nested objects repeat the names of real fields: only the real ones may be read
        String json = "{\"meta\":{\"request_id\":\"not-this\",\"usage\":{\"prompt_tokens\":-1}},"
                + "\"tags\":[\"a\",{\"account_id\":\"not-this\"},[[]],null],"
                + "\"request_id\":\"r1\",\"account_id\":\"acct\",\"model\":\"llama-3.1-8b\",\"retries\":2,\"cached\":true,"
                + "\"usage\":{\"details\":{\"prompt_tokens\":99,\"audio\":[1,2,{\"total_tokens\":0}]},"
                + "\"prompt_tokens\":125,\"list\":[\"x\",{}],\"completion_tokens\":320,\"ratio\":0.5,\"total_tokens\":445,"
                + "\"note\":null},"
                + "\"completed_at\":\"" + AT + "\",\"node_id\":\"n1\",\"trace\":{\"spans\":[{\"completed_at\":\"bad\"}]}}";
        assertThat(parse(json)).usingRecursiveComparison().ignoringFields("source").isEqualTo(parse(CANONICAL));
    }

    @Test
    void anUnknownStringBeyondJacksonsLimitIsRejectedThoughSkipped() {
        // a full parse decodes every string and rejects one over the limit; a skip decodes none
        int limit = com.fasterxml.jackson.core.StreamReadConstraints.defaults().getMaxStringLength();
        String json = CANONICAL.replace("\"usage\":{", "\"usage\":{\"note\":[{\"text\":\"" + "x".repeat(limit + 1) + "\"}],");
        assertThat(rejection(json).reason()).isEqualTo(RejectReason.UNPARSEABLE_JSON);
    }

    @Test
    void aNullOrAbsentNodeIdIsNone() throws Rejection {
        assertThat(parse(CANONICAL.replace("\"n1\"", "null")).nodeId).isNull();
        assertThat(parse(CANONICAL.replace(",\"node_id\":\"n1\"", "")).nodeId).isNull();
    }

    @Test
    void aBadValueIsJudgedByItsFieldNotByWhereItStands() {
        // the tree parse checked request_id before completed_at; the order in the message must not change that
        String json = "{\"completed_at\":\"yesterday\",\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,"
                + "\"total_tokens\":2},\"model\":\"m\",\"account_id\":\"a\",\"request_id\":\"\"}";
        Rejection r = catchThrowableOfType(Rejection.class, () -> parse(json));
        assertThat(r.reason()).isEqualTo(RejectReason.MISSING_FIELD);
        assertThat(r.getMessage()).isEqualTo("'request_id' is empty");
    }

    @Test
    void aMalformedMessageSaysWhy() {
        assertThat(rejection(CANONICAL + " {}").getMessage()).isEqualTo("more JSON after the object");
        assertThat(rejection(CANONICAL.replace("\"total_tokens\":445", "\"total_tokens\":445,\"prompt_tokens\":1"))
                .getMessage()).contains("Duplicate field 'prompt_tokens'");
        assertThat(rejection(CANONICAL.substring(0, CANONICAL.length() - 1)).getMessage()).contains("end-of-input");
        assertThat(rejection("[" + CANONICAL + "]").getMessage()).isEqualTo("expected a JSON object");
    }

    @Test
    void aValueOfTheWrongShapeIsNamedInTheMessage() {
        assertThat(rejection(CANONICAL.replace("125", "{\"n\":125}")).getMessage())
                .isEqualTo("'prompt_tokens' must be an integer within 64 bits, got an object");
        assertThat(rejection(CANONICAL.replace("125", "\"125\"")).getMessage())
                .isEqualTo("'prompt_tokens' must be an integer within 64 bits, got \"125\"");
        assertThat(rejection(CANONICAL.replace("125", "1.25e2")).getMessage())
                .isEqualTo("'prompt_tokens' must be an integer within 64 bits, got 1.25e2");
        assertThat(rejection(CANONICAL.replace("\"" + AT + "\"", "[2026]")).getMessage())
                .isEqualTo("'completed_at' must be an ISO-8601 string");
    }

    private Rejection rejection(String json) {
        Rejection r = catchThrowableOfType(Rejection.class, () -> parse(json));
        assertThat(r).as(json).isNotNull();
        return r;
    }

    private UsageRecord parse(String json) throws Rejection {
        return parser.parse(new SourceRecord("usage-records", 0, 0, NOW, null, json.getBytes(StandardCharsets.UTF_8)), NOW);
    }
}
