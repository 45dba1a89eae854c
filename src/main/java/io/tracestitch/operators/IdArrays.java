package io.tracestitch.operators;

/**
 * Id sets kept in state as a plain array plus a count, so that the usual tiny set costs one exactly
 * sized array, and a set that grows large (the sides of a hot join key, the publishers a busy fan-in
 * consumer received from) still adds and looks up in constant time. Up to {@link #SMALL} ids the
 * array holds exactly the ids; beyond, it is an open-addressing hash table with {@code null} in its
 * free slots, at most three-quarters full. Arrays are replaced, never changed in place, when shared.
 * The same holds for ids that are numbers ({@code long[]}), where 0 marks a free slot and is no id.
 */
public final class IdArrays {

    public static final String[] EMPTY = {};
    static final int SMALL = 8;

    private IdArrays() {}

    public static boolean contains(String[] ids, int count, String id) {
        if (ids.length == count) {
            for (String known : ids) {
                if (known.equals(id)) {
                    return true;
                }
            }
            return false;
        }
        return ids[slotOf(ids, id)] != null;
    }

    /**
     * {@code ids} (holding {@code count} ids) with {@code id} added, which must not be in it yet; the
     * caller counts it. The result may be the same array, changed in place, once it is a table.
     */
    public static String[] add(String[] ids, int count, String id) {
        if (count < SMALL) {
            String[] grown = java.util.Arrays.copyOf(ids, count + 1);
            grown[count] = id;
            return grown;
        }
        String[] table = ids;
        if (mustGrow(ids.length, count)) {
            table = new String[tableCapacity(count)];
            for (String known : ids) {
                if (known != null) {
                    table[slotOf(table, known)] = known;
                }
            }
        }
        table[slotOf(table, id)] = id;
        return table;
    }

    public static boolean contains(long[] ids, int count, long id) {
        if (ids.length == count) {
            for (long known : ids) {
                if (known == id) {
                    return true;
                }
            }
            return false;
        }
        return ids[slotOf(ids, id)] != 0;
    }

    /** As {@link #add(String[], int, String)}, for a non-zero number. */
    public static long[] add(long[] ids, int count, long id) {
        if (count < SMALL) {
            long[] grown = java.util.Arrays.copyOf(ids, count + 1);
            grown[count] = id;
            return grown;
        }
        long[] table = ids;
        if (mustGrow(ids.length, count)) {
            table = new long[tableCapacity(count)];
            for (long known : ids) {
                if (known != 0) {
                    table[slotOf(table, known)] = known;
                }
            }
        }
        table[slotOf(table, id)] = id;
        return table;
    }

    /** A list (exactly full) becomes a table; a table grows before it is three-quarters full. */
    private static boolean mustGrow(int length, int count) {
        return length == count || (count + 1) * 4 > length * 3;
    }

    private static int tableCapacity(int count) {
        return Integer.highestOneBit(Math.max(count, SMALL)) * 4;
    }

    /** The ids alone, in an exactly sized array. */
    public static String[] toArray(String[] ids, int count) {
        if (ids.length == count) {
            return ids;
        }
        String[] out = new String[count];
        int i = 0;
        for (String id : ids) {
            if (id != null) {
                out[i++] = id;
            }
        }
        return out;
    }

    private static int slotOf(String[] table, String id) {
        int mask = table.length - 1;
        int slot = spread(id.hashCode()) & mask;
        while (table[slot] != null && !table[slot].equals(id)) {
            slot = (slot + 1) & mask;
        }
        return slot;
    }

    private static int slotOf(long[] table, long id) {
        int mask = table.length - 1;
        int slot = spread((int) (id ^ (id >>> 32))) & mask;
        while (table[slot] != 0 && table[slot] != id) {
            slot = (slot + 1) & mask;
        }
        return slot;
    }

    /** Spreads the bits: consecutive ids must not cluster in one run of slots. */
    private static int spread(int hash) {
        int h = hash * 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}
