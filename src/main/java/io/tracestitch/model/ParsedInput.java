package io.tracestitch.model;

import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * One thing a streaming source made of an input record: a span, a platform log fact or a dead
 * letter. A record can yield several (a CloudWatch Logs subscription payload holds many log events),
 * each with its own event time, which is what lets the source keep a watermark per partition.
 */
@TypeInfo(CompactRecordSerializer.Factory.class)
public sealed interface ParsedInput {

    /** The event time, or {@link Long#MIN_VALUE} for what has none (a dead letter). */
    long eventTimeMs();

    record SpanInput(Span span) implements ParsedInput {
        @Override
        public long eventTimeMs() {
            return span.eventTimeMs();
        }
    }

    record LogInput(LogFact log) implements ParsedInput {
        @Override
        public long eventTimeMs() {
            return log.timestampMs();
        }
    }

    record Rejected(DeadLetter deadLetter) implements ParsedInput {
        @Override
        public long eventTimeMs() {
            return Long.MIN_VALUE;
        }
    }
}
