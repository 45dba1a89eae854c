package io.tracestitch.operators.trace;

import io.tracestitch.model.MessageRef;
import io.tracestitch.model.Span;
import io.tracestitch.model.SpanLink;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Duplicate copies of a span give the same union whatever order they arrive in. */
class SpanUnionTest {

    private static final MessageRef M1 = new MessageRef("t", "kinesis", true, "payments", "shardId-1:100");
    private static final MessageRef M2 = new MessageRef("t", "kinesis", true, "payments", "shardId-1:200");
    private static final MessageRef M3 = new MessageRef("t", "sqs", false, "orders", "m3");
    private static final SpanLink L1 = new SpanLink("trace-b", "span-b");

    private static Span copy(double endMs, String attributes, String requestId, boolean error, SpanLink[] links,
            MessageRef... messages) {
        return new Span("t", "trace-a", "span-a", null, "inventory", "Kinesis.PutRecords", "producer", 100.0, endMs,
                error, requestId, messages, links, attributes);
    }

    private static List<Object> render(Span s) {
        return List.of(String.valueOf(s.parentSpanId()), s.service(), s.name(), s.kind(), s.startMs(), s.endMs(),
                s.error(), String.valueOf(s.requestId()), Arrays.asList(s.messages()), Arrays.asList(s.links()),
                s.attributesJson());
    }

    @Test
    void copiesThatDifferUnionTheirReferencesInAnyArrivalOrder() {
        List<Span> copies = List.of(
                copy(150.0, "{}", null, false, new SpanLink[0], M2, M1),
                copy(150.0, "{}", "req-1", false, new SpanLink[] {L1}, M1, M3),
                copy(150.5, "{\"retry\":1}", null, true, new SpanLink[0], M2));
        Span union = SpanUnion.merge(new Span[0], copies)[0];
        assertThat(union.messages()).containsExactly(M1, M2, M3);
        assertThat(union.links()).containsExactly(L1);
        assertThat(union.requestId()).isEqualTo("req-1");
        assertThat(union.error()).isTrue();
        assertThat(union.endMs()).isEqualTo(150.0);
        Random random = new Random(3);
        for (int i = 0; i < 20; i++) {
            List<Span> shuffled = new ArrayList<>(copies);
            Collections.shuffle(shuffled, random);
            assertThat(render(SpanUnion.merge(new Span[0], shuffled)[0])).isEqualTo(render(union));
        }
    }

    @Test
    void identicalCopiesKeepTheirOrderAndCountOnce() {
        Span a = copy(150.0, "{}", "req-1", false, new SpanLink[0], M2, M1);
        Span b = copy(150.0, "{}", "req-1", false, new SpanLink[0], M2, M1);
        Span[] merged = SpanUnion.merge(new Span[] {a}, List.of(b));
        assertThat(merged).hasSize(1);
        assertThat(merged[0].messages()).containsExactly(M2, M1);
    }
}
