package io.tracestitch.model;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;

/**
 * Keys for keyBy: {@code (tenant, id)} pairs. Flink hashes them identically in every JVM (unlike
 * enums or records), and a pair only points at the tenant and id strings its record already holds
 * (interned when records are read), so a keyed state entry does not carry its own concatenated copy.
 */
public final class Keys {

    public static final TypeInformation<Tuple2<String, String>> TYPE = Types.TUPLE(Types.STRING, Types.STRING);

    private Keys() {}

    public static Tuple2<String, String> of(String tenant, String id) {
        return Tuple2.of(tenant, id);
    }
}
