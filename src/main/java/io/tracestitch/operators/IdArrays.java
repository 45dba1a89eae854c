package io.tracestitch.operators;

/**
 * Id sets kept in state as a plain array plus a count, so that the usual tiny set costs one exactly
 * sized array, and a set that grows large (the sides of a hot join key, the publishers a busy fan-in
 * consumer received from) still adds and looks up in constant time. Up to {@link #SMALL} ids the
 * array holds exactly the ids; beyond, it is an open-addressing hash table with {@code null} in its
 * free slots, at most three-quarters full. Arrays are replaced, never changed in place, when shared.
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
        if (ids.length == count || (count + 1) * 4 > ids.length * 3) {
            table = new String[Integer.highestOneBit(Math.max(count, SMALL)) * 4];
            for (String known : ids) {
                if (known != null) {
                    table[slotOf(table, known)] = known;
                }
            }
        }
        table[slotOf(table, id)] = id;
        return table;
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
        int h = id.hashCode() * 0x9E3779B9;
        int slot = (h ^ (h >>> 16)) & mask;
        while (table[slot] != null && !table[slot].equals(id)) {
            slot = (slot + 1) & mask;
        }
        return slot;
    }
}
