package io.tracestitch.model;

import java.util.concurrent.ConcurrentHashMap;

/**
 * One shared copy of the values that repeat across many records in state (tenants, services, span
 * names, destinations, graph resources and edges). Bounded: once {@link #MAX_ENTRIES} distinct
 * values are held, new ones are returned as they are, so high-cardinality input cannot grow it.
 * Only immutable values with value equality belong here.
 */
public final class Canonical {

    public static final int MAX_ENTRIES = 100_000;
    private static final ConcurrentHashMap<Object, Object> SHARED = new ConcurrentHashMap<>();

    private Canonical() {}

    @SuppressWarnings("unchecked")
    public static <T> T of(T value) {
        if (value == null) {
            return null;
        }
        T known = (T) SHARED.get(value);
        if (known != null) {
            return known;
        }
        if (SHARED.size() >= MAX_ENTRIES) {
            return value;
        }
        known = (T) SHARED.putIfAbsent(value, value);
        return known != null ? known : value;
    }
}
