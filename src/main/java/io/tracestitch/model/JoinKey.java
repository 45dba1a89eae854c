package io.tracestitch.model;

import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * What pairs a publishing span with the spans that received the same message, inside one tenant:
 * {@code (tenant, system, id)}, and for Kinesis also the stream, because sequence numbers are only
 * unique within a stream ({@code stream} is empty for every other system). A span link is never a
 * join key: links name traces and travel as trace ids.
 *
 * <p>Pair hops is keyed by it, so its hash is defined here from the strings' specified hashes: the
 * same in every JVM (a record's generated hash is not specified).
 */
@TypeInfo(CompactRecordSerializer.Factory.class)
public record JoinKey(String tenant, String system, String stream, String id) {

    public static final String KINESIS = "kinesis";

    /** The key of a message reference whose system and destination are already normalised. */
    public static JoinKey of(String tenant, String system, String destination, String id) {
        return new JoinKey(tenant, system, KINESIS.equals(system) ? destination : "", id);
    }

    @Override
    public int hashCode() {
        return ((tenant.hashCode() * 31 + system.hashCode()) * 31 + stream.hashCode()) * 31 + id.hashCode();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof JoinKey k && id.equals(k.id) && system.equals(k.system) && stream.equals(k.stream)
                && tenant.equals(k.tenant);
    }
}
