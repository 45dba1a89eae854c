package io.tracestitch.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class KinesaliteTest {

    private static Kinesalite kinesalite;

    @BeforeAll
    static void startKinesalite() throws Exception {
        kinesalite = Kinesalite.start();
    }

    @AfterAll
    static void closeKillsKinesalite() {
        List<ProcessHandle> tree = kinesalite.processTree();
        assertThat(tree).as("kinesalite's processes").isNotEmpty();
        kinesalite.close();
        assertThat(tree).noneMatch(ProcessHandle::isAlive);
    }

    @Test
    void bindsToTheLoopbackAddress() {
        assertThat(kinesalite.endpoint()).matches("http://127\\.0\\.0\\.1:\\d+");
    }

    @Test
    void aRecordPutIntoATwoShardStreamIsReadBackFromItsShard() throws Exception {
        kinesalite.createStream("spans", 2);
        JsonNode shards = kinesalite.call("DescribeStream", Map.of("StreamName", "spans"))
                .path("StreamDescription").path("Shards");
        assertThat(shards).hasSize(2);

        String line = "{\"type\":\"span\",\"traceId\":\"t1\",\"spanId\":\"s1\",\"startMs\":1,\"endMs\":2}";
        JsonNode put = kinesalite.call("PutRecord", Map.of("StreamName", "spans", "PartitionKey", "t1",
                "Data", Base64.getEncoder().encodeToString(line.getBytes(StandardCharsets.UTF_8))));
        String shardId = put.path("ShardId").asText();
        assertThat(shardId).isIn(shards.findValuesAsText("ShardId"));

        String iterator = kinesalite.call("GetShardIterator", Map.of("StreamName", "spans", "ShardId", shardId,
                "ShardIteratorType", "AT_SEQUENCE_NUMBER",
                "StartingSequenceNumber", put.path("SequenceNumber").asText())).path("ShardIterator").asText();
        JsonNode records = kinesalite.call("GetRecords", Map.of("ShardIterator", iterator)).path("Records");
        assertThat(records).hasSize(1);
        assertThat(records.get(0).path("PartitionKey").asText()).isEqualTo("t1");
        assertThat(new String(Base64.getDecoder().decode(records.get(0).path("Data").asText()), StandardCharsets.UTF_8))
                .isEqualTo(line);
    }
}
