package io.tracestitch.operators.trace;

/**
 * The distinct span ids of one trace, exactly: what the {@code max-spans} cap counts. Ids of 16
 * lower-case hex digits (OpenTelemetry's and X-Ray's format) are held as the 64-bit number they
 * spell, in an open-addressing table; any other id as its string, in a second table. Adding is
 * amortised constant time, so a trace of any size costs linear time (a sorted array was quadratic).
 *
 * <p>Mutable Flink POJO kept in the trace stage's state.
 */
public class SpanIdSet {

    private static final long[] NO_LONGS = {};
    private static final String[] NO_STRINGS = {};
    private static final int HEX_DIGITS = 16;

    /** Table of hex ids; 0 marks an empty slot, so the id 0 is {@link #hasZero} instead. */
    public long[] hexIds = NO_LONGS;
    public int hexCount;
    public boolean hasZero;
    /** Table of other ids; null marks an empty slot. */
    public String[] otherIds = NO_STRINGS;
    public int otherCount;

    public int size() {
        return hexCount + otherCount + (hasZero ? 1 : 0);
    }

    public boolean contains(String spanId) {
        long hex = hexValue(spanId);
        if (hex == NOT_HEX) {
            return otherIds.length > 0 && otherIds[slotOf(otherIds, spanId)] != null;
        }
        if (hex == 0) {
            return hasZero;
        }
        return hexIds.length > 0 && hexIds[slotOf(hexIds, hex)] != 0;
    }

    /** Adds the id; true if it was not there. */
    public boolean add(String spanId) {
        long hex = hexValue(spanId);
        if (hex == NOT_HEX) {
            if (otherCount + 1 > otherIds.length * 3 / 4) {
                growOthers();
            }
            int slot = slotOf(otherIds, spanId);
            if (otherIds[slot] != null) {
                return false;
            }
            otherIds[slot] = spanId;
            otherCount++;
            return true;
        }
        if (hex == 0) {
            boolean added = !hasZero;
            hasZero = true;
            return added;
        }
        if (hexCount + 1 > hexIds.length * 3 / 4) {
            growHex();
        }
        int slot = slotOf(hexIds, hex);
        if (hexIds[slot] != 0) {
            return false;
        }
        hexIds[slot] = hex;
        hexCount++;
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

    private static int slotOf(long[] table, long value) {
        int mask = table.length - 1;
        int slot = mix(value) & mask;
        while (table[slot] != 0 && table[slot] != value) {
            slot = (slot + 1) & mask;
        }
        return slot;
    }

    private static int slotOf(String[] table, String value) {
        int mask = table.length - 1;
        int slot = mix(value.hashCode()) & mask;
        while (table[slot] != null && !table[slot].equals(value)) {
            slot = (slot + 1) & mask;
        }
        return slot;
    }

    /** Spreads the bits: consecutive ids must not cluster in one run of slots. */
    private static int mix(long value) {
        long h = value * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }

    private void growHex() {
        long[] old = hexIds;
        hexIds = new long[Math.max(16, old.length * 2)];
        for (long value : old) {
            if (value != 0) {
                hexIds[slotOf(hexIds, value)] = value;
            }
        }
    }

    private void growOthers() {
        String[] old = otherIds;
        otherIds = new String[Math.max(4, old.length * 2)];
        for (String value : old) {
            if (value != null) {
                otherIds[slotOf(otherIds, value)] = value;
            }
        }
    }
}
