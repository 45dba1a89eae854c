package io.tracestitch.model;

import java.util.concurrent.ConcurrentHashMap;

/**
 * One shared copy of the strings that repeat across many records (tenants, services, span names,
 * destinations). Bounded: once {@link #MAX_ENTRIES} distinct values are held, new ones are
 * returned as they are, so high-cardinality input cannot grow it.
 */
public final class Strings {

    public static final int MAX_ENTRIES = 100_000;
    private static final ConcurrentHashMap<String, String> CANONICAL = new ConcurrentHashMap<>();

    private Strings() {}

    public static String canonical(String value) {
        if (value == null) {
            return null;
        }
        String known = CANONICAL.get(value);
        if (known != null) {
            return known;
        }
        if (CANONICAL.size() >= MAX_ENTRIES) {
            return value;
        }
        known = CANONICAL.putIfAbsent(value, value);
        return known != null ? known : value;
    }
}
