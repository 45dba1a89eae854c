package io.tracestitch.operators.hop;

import static io.tracestitch.testing.Hops.publisher;
import static io.tracestitch.testing.Hops.receiver;
import static org.assertj.core.api.Assertions.assertThat;

import io.tracestitch.model.JoinKey;
import io.tracestitch.testing.Hops;
import org.junit.jupiter.api.Test;

/** {@link HopPairing} alone: what each side tells the resolver, and whether the key's sides changed. */
class HopPairingTest {

    private static final JoinKey KEY = Hops.key("m1");

    private final HopSides sides = new HopSides();

    @Test
    void aReceiverLearnsEveryPublisherKnownWhenItArrives() {
        HopPairing pairing = new HopPairing(10);
        pairing.add(sides, publisher(KEY, "p1"));
        pairing.add(sides, publisher(KEY, "p2"));
        HopPairing.Outcome outcome = pairing.add(sides, receiver(KEY, "r1"));
        assertThat(outcome.tell()).extracting(Hops::describe).containsExactly("r1 <- m1 [p1, p2]");
        assertThat(outcome.changed()).isTrue();
        assertThat(outcome.dropped()).isFalse();
    }

    @Test
    void aSideAlreadyOnTheKeyChangesNothing() {
        HopPairing pairing = new HopPairing(10);
        pairing.add(sides, receiver(KEY, "r1"));
        HopPairing.Outcome again = pairing.add(sides, receiver(KEY, "r1"));
        assertThat(again.tell()).isEmpty();
        assertThat(again.changed()).isFalse();
        assertThat(sides.receivers).containsExactly("r1");
    }

    @Test
    void oneTraceMayPublishAndReceiveTheSameKey() {
        HopPairing pairing = new HopPairing(10);
        pairing.add(sides, publisher(KEY, "t1"));
        HopPairing.Outcome outcome = pairing.add(sides, receiver(KEY, "t1"));
        assertThat(outcome.tell()).extracting(Hops::describe).containsExactly("t1 <- m1 [t1]");
    }

    @Test
    void theSideBeyondTheCapIsDroppedAndOnlyTheCappingOneChangesTheKey() {
        HopPairing pairing = new HopPairing(1);
        pairing.add(sides, publisher(KEY, "p1"));
        HopPairing.Outcome capping = pairing.add(sides, receiver(KEY, "r1"));
        assertThat(capping.dropped()).isTrue();
        assertThat(capping.changed()).as("the key is now marked capped").isTrue();
        assertThat(capping.tell()).extracting(Hops::describe).containsExactly("p1 capped m1", "r1 capped m1");

        HopPairing.Outcome next = pairing.add(sides, receiver(KEY, "r2"));
        assertThat(next.dropped()).isTrue();
        assertThat(next.changed()).isFalse();
        assertThat(next.tell()).extracting(Hops::describe).containsExactly("r2 capped m1");
        assertThat(sides.size()).isOne();
    }
}
