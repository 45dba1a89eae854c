package io.tracestitch.operators.resolve;

import java.util.Arrays;

/** Sorted, duplicate-free id arrays that are replaced, never changed in place (state may share them). */
final class SortedIds {

    private SortedIds() {}

    static boolean contains(String[] sorted, String id) {
        return Arrays.binarySearch(sorted, id) >= 0;
    }

    /** {@code sorted} with {@code id} added: the same array if it is already there. */
    static String[] with(String[] sorted, String id) {
        int at = Arrays.binarySearch(sorted, id);
        if (at >= 0) {
            return sorted;
        }
        int insert = -at - 1;
        String[] grown = new String[sorted.length + 1];
        System.arraycopy(sorted, 0, grown, 0, insert);
        grown[insert] = id;
        System.arraycopy(sorted, insert, grown, insert + 1, sorted.length - insert);
        return grown;
    }
}
