package dev.billing.output;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.billing.model.DeadLetter;
import dev.billing.model.RejectReason;
import dev.billing.model.SourceRecord;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class MessageJsonTest {
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void aDeadLetterKeepsTheOriginalBytesExactly() throws Exception {
        byte[] original = {'{', (byte) 0xff, 0, '"'};
        JsonNode d = json.readTree(MessageJson.deadLetter(letter(original)));
        assertThat(Base64.getDecoder().decode(d.get("original_base64").asText())).isEqualTo(original);
        assertThat(d.get("original_text").isNull()).as("not UTF-8, so no text copy").isTrue();
    }

    @Test
    void aDeadLetterAlwaysFitsTheDeadLetterTopic() throws Exception {
        byte[] large = new byte[MessageJson.MAX_ORIGINAL_BYTES];
        Arrays.fill(large, (byte) 'x');
        byte[] kept = MessageJson.deadLetter(letter(large));
        assertThat(kept.length).isLessThan(MessageJson.DEAD_LETTER_MAX_BYTES);
        assertThat(json.readTree(kept).get("original_text").isNull()).as("no second copy of a large original").isTrue();

        byte[] tooLarge = new byte[MessageJson.MAX_ORIGINAL_BYTES + 1];
        JsonNode d = json.readTree(MessageJson.deadLetter(letter(tooLarge)));
        assertThat(d.get("original_base64").isNull()).isTrue();
        assertThat(d.get("source_offset").asLong()).as("still findable at its source").isEqualTo(7);
    }

    private static DeadLetter letter(byte[] value) {
        return new DeadLetter(new SourceRecord("usage-records", 1, 7, 0L, "k".getBytes(StandardCharsets.UTF_8), value),
                RejectReason.UNPARSEABLE_JSON, "bad", 0L);
    }
}
