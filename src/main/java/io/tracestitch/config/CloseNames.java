package io.tracestitch.config;

import java.util.Collection;
import java.util.List;

/** "Did you mean": the names a typo was probably meant to be, for the command line and run's keys. */
public final class CloseNames {

    private CloseNames() {}

    /**
     * Names at most two edits away (a swap of neighbours counts as one), sorted: picocli's own
     * suggestions miss the commonest typo, {@code --gpa} for {@code --gap}.
     */
    public static List<String> of(String typed, Collection<String> names) {
        return names.stream().filter(name -> editDistance(typed, name) <= 2).sorted().toList();
    }

    /** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
    static int editDistance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            for (int j = 0; j <= b.length(); j++) {
                if (i == 0 || j == 0) {
                    d[i][j] = i + j;
                    continue;
                }
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
