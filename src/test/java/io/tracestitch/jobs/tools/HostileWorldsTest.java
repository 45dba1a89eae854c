package io.tracestitch.jobs.tools;

import io.tracestitch.jobs.tools.HostileWorlds.World;
import io.tracestitch.model.DeadLetter;
import io.tracestitch.model.JoinKey;
import io.tracestitch.model.LogFact;
import io.tracestitch.model.MessageRef;
import io.tracestitch.model.Span;
import io.tracestitch.operators.ingest.RecordParser;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hostile worlds have the shape {@code bench --hostile} relies on, and are the same every time. */
class HostileWorldsTest {

    @TempDir
    Path dir;

    @Test
    void hotKeyIsOneReceiverFirstThenOnePublishingTracePerStepOfMoreThanTheGap() throws Exception {
        List<Span> spans = spans(write(World.HOT_KEY, 50));
        assertThat(spans).hasSize(51).allSatisfy(span -> assertThat(span.messages()).singleElement()
                .extracting(MessageRef::id).isEqualTo("hot"));
        assertThat(spans.get(0).messages()[0].publish()).isFalse();
        assertThat(spans.subList(1, 51)).allSatisfy(span -> assertThat(span.messages()[0].publish()).isTrue());
        assertThat(spans.stream().map(Span::traceId).distinct()).hasSize(51);
        for (int i = 1; i < spans.size(); i++) {
            assertThat(spans.get(i).endMs() - spans.get(i - 1).endMs()).isGreaterThan(30_000);
        }
    }

    @Test
    void distinctKeysPairOnePublisherWithOneReceiverPerKey() throws Exception {
        Map<JoinKey, List<Span>> byKey = spans(write(World.DISTINCT_KEYS, 40)).stream()
                .collect(Collectors.groupingBy(span -> span.messages()[0].joinKey()));
        assertThat(byKey).hasSize(40).allSatisfy((key, pair) -> assertThat(pair).hasSize(2)
                .extracting(span -> span.messages()[0].publish()).containsExactly(true, false));
    }

    @Test
    void aHugeTraceAndTheSameSpansSpreadOverTraces() throws Exception {
        List<Span> huge = spans(write(World.HUGE_TRACE, 30_000));
        List<Span> spread = spans(write(World.SPREAD_TRACES, 30_000));
        assertThat(huge).hasSize(30_000);
        assertThat(huge.stream().map(Span::traceId).distinct()).hasSize(1);
        assertThat(spread.stream().map(Span::traceId).distinct()).hasSize(HostileWorlds.SPREAD_TRACE_COUNT);
        assertThat(spread).extracting(Span::endMs).isEqualTo(huge.stream().map(Span::endMs).toList());
        // Every parent is in the same trace, so each trace is one tree.
        Map<String, Span> byId = spread.stream().collect(Collectors.toMap(Span::spanId, Function.identity()));
        assertThat(spread).filteredOn(span -> span.parentSpanId() != null)
                .allSatisfy(span -> assertThat(byId.get(span.parentSpanId()).traceId()).isEqualTo(span.traceId()));
    }

    @Test
    void theSameWorldAndSizeGiveTheSameBytes() throws Exception {
        for (World world : World.values()) {
            assertThat(Files.readAllBytes(write(world, 100)))
                    .isEqualTo(Files.readAllBytes(write(world, 100, "again")));
        }
    }

    private Path write(World world, int size) throws Exception {
        return write(world, size, "first");
    }

    private Path write(World world, int size, String name) throws Exception {
        Path file = dir.resolve(world + "-" + size + "-" + name + ".ndjson");
        assertThat(HostileWorlds.write(world, size, file)).isEqualTo(Files.readAllLines(file).size());
        return file;
    }

    private static List<Span> spans(Path file) throws Exception {
        return spans(Files.readAllLines(file));
    }

    /** The spans of NDJSON lines, in order; anything else in them fails the test. */
    static List<Span> spans(List<String> lines) {
        List<Span> spans = new ArrayList<>();
        RecordParser parser = new RecordParser();
        RecordParser.Output collect = new RecordParser.Output() {
            @Override
            public void span(Span span) {
                spans.add(span);
            }

            @Override
            public void log(LogFact log) {}

            @Override
            public void deadLetter(DeadLetter deadLetter) {
                throw new AssertionError(Arrays.asList(deadLetter.reason(), deadLetter.raw()));
            }

            @Override
            public void ignored() {}
        };
        lines.forEach(line -> parser.parse(line.getBytes(StandardCharsets.UTF_8), collect));
        return spans;
    }
}
