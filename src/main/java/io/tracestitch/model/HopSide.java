package io.tracestitch.model;

import org.apache.flink.api.common.typeinfo.TypeInfo;

/** One trace's side of an async hop: it published or received the message with this join key. */
@TypeInfo(CompactRecordSerializer.Factory.class)
public record HopSide(JoinKey key, String traceId, boolean publish) {

    public String tenant() {
        return key.tenant();
    }
}
