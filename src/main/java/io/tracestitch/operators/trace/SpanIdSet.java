package io.tracestitch.operators.trace;

import io.tracestitch.operators.IdArrays;

/**
 * The distinct span ids of one trace, exactly: what the {@code max-spans} cap counts. Ids of 16
 * lower-case hex digits (OpenTelemetry's and X-Ray's format) are held as the 64-bit number they
 * spell, any other id as its string, each kind in an {@link IdArrays} set: an exactly sized array for
 * the few spans most traces have, a hash table beyond. Adding is amortised constant time, so a trace
 * of any size costs linear time (a sorted array was quadratic).
 *
 * <p>Mutable Flink POJO kept in the trace stage's state.
 */
public class SpanIdSet {

    private static final long[] NO_LONGS = {};
    private static final int HEX_DIGITS = 16;

    /** The hex ids as numbers; 0 marks a free table slot, so the id 0 is {@link #hasZero} instead. */
    public long[] hexIds = NO_LONGS;
    public int hexCount;
    public boolean hasZero;
    /** The other ids. */
    public String[] otherIds = IdArrays.EMPTY;
    public int otherCount;

    public int size() {
        return hexCount + otherCount + (hasZero ? 1 : 0);
    }

    public boolean contains(String spanId) {
        long hex = hexValue(spanId);
        if (hex == NOT_HEX) {
            return IdArrays.contains(otherIds, otherCount, spanId);
        }
        if (hex == 0) {
            return hasZero;
        }
        return IdArrays.contains(hexIds, hexCount, hex);
    }

    /** Adds the id; true if it was not there. */
    public boolean add(String spanId) {
        long hex = hexValue(spanId);
        if (hex == NOT_HEX) {
            if (IdArrays.contains(otherIds, otherCount, spanId)) {
                return false;
            }
            otherIds = IdArrays.add(otherIds, otherCount++, spanId);
            return true;
        }
        if (hex == 0) {
            boolean added = !hasZero;
            hasZero = true;
            return added;
        }
        if (IdArrays.contains(hexIds, hexCount, hex)) {
            return false;
        }
        hexIds = IdArrays.add(hexIds, hexCount++, hex);
        return true;
    }

    /** Marks "not 16 hex digits"; a real id spelling this value is stored as a string instead. */
    private static final long NOT_HEX = Long.MIN_VALUE;

    private static long hexValue(String id) {
        if (id.length() != HEX_DIGITS) {
            return NOT_HEX;
        }
        long value = 0;
        for (int i = 0; i < HEX_DIGITS; i++) {
            char c = id.charAt(i);
            int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
            if (digit < 0) {
                return NOT_HEX;
            }
            value = value << 4 | digit;
        }
        return value;
    }
}
