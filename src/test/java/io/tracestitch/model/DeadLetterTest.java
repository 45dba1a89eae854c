package io.tracestitch.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The dead-letter line: always reason, detail, raw, in that order, as valid JSON whatever the line held. */
class DeadLetterTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theLineIsReasonDetailRawWithANullDetailWhenThereIsNone() {
        assertThat(new String(DeadLetter.of("invalid-time", "endMs 1 is before startMs 2", "{\"x\":1}").toJson(),
                StandardCharsets.UTF_8))
                .isEqualTo("{\"reason\":\"invalid-time\",\"detail\":\"endMs 1 is before startMs 2\",\"raw\":\"{\\\"x\\\":1}\"}");
        assertThat(new String(DeadLetter.of("malformed-json", "{").toJson(), StandardCharsets.UTF_8))
                .isEqualTo("{\"reason\":\"malformed-json\",\"detail\":null,\"raw\":\"{\"}");
    }

    @Test
    void anyRawTextGivesValidJsonThatReadsBackTheSame() throws Exception {
        String raw = "tab\t nul\u0000 quote\" backslash\\ é 日本 😀 \u2028";
        JsonNode line = JSON.readTree(DeadLetter.of("malformed-json", raw).toJson());
        assertThat(line.get("raw").asText()).isEqualTo(raw);
    }

    @Test
    void truncationKeepsSurrogatePairsWhole() throws Exception {
        String raw = "x".repeat(DeadLetter.MAX_RAW_CHARS - 1) + "😀" + "tail";
        DeadLetter d = DeadLetter.of("malformed-json", raw);
        assertThat(d.raw()).hasSize(DeadLetter.MAX_RAW_CHARS - 1).isEqualTo("x".repeat(DeadLetter.MAX_RAW_CHARS - 1));
        assertThat(DeadLetter.of("malformed-json", "x".repeat(5000)).raw()).hasSize(DeadLetter.MAX_RAW_CHARS);
    }

    @Test
    void bytesThatAreNotUtf8ShowAsReplacementCharacters() {
        byte[] line = {'{', (byte) 0xC0, (byte) 0x80, '}'};
        assertThat(DeadLetter.of("invalid-encoding", null, line, line.length).raw()).isEqualTo("{\uFFFD\uFFFD}");
    }
}
