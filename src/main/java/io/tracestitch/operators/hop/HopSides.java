package io.tracestitch.operators.hop;

import io.tracestitch.operators.IdArrays;

/** Mutable Flink POJO: the traces on both sides of one join key, as {@link IdArrays} sets. */
public class HopSides {
    public String[] publishers = IdArrays.EMPTY;
    public int publisherCount;
    public String[] receivers = IdArrays.EMPTY;
    public int receiverCount;
    /** The key reached {@code max-sides-per-key}; every trace on it has been told. */
    public boolean capped;

    public int size() {
        return publisherCount + receiverCount;
    }
}
