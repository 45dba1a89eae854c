package io.tracestitch.model;

/** String keys for keyBy: Flink hashes them identically in every JVM, unlike enums or records. */
public final class Keys {
    private Keys() {}

    public static String of(String tenant, String id) {
        return tenant + Destinations.KEY_SEPARATOR + id;
    }
}
