package io.tracestitch.operators;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class IdArraysTest {

    private String[] ids = IdArrays.EMPTY;
    private int count;

    private void add(String id) {
        assertThat(IdArrays.contains(ids, count, id)).as("%s before it is added", id).isFalse();
        ids = IdArrays.add(ids, count++, id);
        assertThat(IdArrays.contains(ids, count, id)).as("%s once added", id).isTrue();
    }

    @Test
    void aFewIdsTakeOneExactlySizedArray() {
        for (int i = 0; i < IdArrays.SMALL; i++) {
            add("t" + i);
        }
        assertThat(ids).hasSize(IdArrays.SMALL).doesNotContainNull();
        assertThat(IdArrays.toArray(ids, count)).isSameAs(ids);
    }

    @Test
    void manyIdsStayFindableThroughEveryGrowthAndCollidingHashes() {
        List<String> added = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            // "Aa" and "BB" share a hash code: colliding ids must still be told apart.
            String id = (i % 2 == 0 ? "Aa" : "BB") + i;
            add(id);
            added.add(id);
        }
        assertThat(ids.length).as("a table at most three-quarters full").isGreaterThan(count * 4 / 3);
        added.forEach(id -> assertThat(IdArrays.contains(ids, count, id)).isTrue());
        assertThat(IdArrays.contains(ids, count, "Aa1")).isFalse();
        assertThat(IdArrays.toArray(ids, count)).hasSize(count).doesNotContainNull()
                .containsExactlyInAnyOrderElementsOf(added);
    }
}
