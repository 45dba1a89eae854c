package io.tracestitch.operators.hop;

/** Mutable Flink POJO: the traces on both sides of one join key. */
public class HopSides {
    // Shared empty: the arrays are replaced when they grow, never written in place.
    private static final String[] NONE = {};
    public String[] publishers = NONE;
    public String[] receivers = NONE;
    /** The key reached {@code max-sides-per-key}; every trace on it has been told. */
    public boolean capped;

    public int size() {
        return publishers.length + receivers.length;
    }
}
