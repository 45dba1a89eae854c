package io.tracestitch.operators.hop;

import static io.tracestitch.testing.Hops.publisher;
import static io.tracestitch.testing.Hops.receiver;
import static org.assertj.core.api.Assertions.assertThat;

import io.tracestitch.config.StitchConfig;
import io.tracestitch.config.StitchOptions;
import io.tracestitch.model.HopSide;
import io.tracestitch.model.JoinKey;
import io.tracestitch.model.ResolverInput;
import io.tracestitch.testing.Harnesses;
import io.tracestitch.testing.Hops;
import io.tracestitch.testing.KeyedStage;
import io.tracestitch.testing.TestConfigs;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The hop stage: each (publisher, receiver) pair reported once in either arrival order, duplicates
 * ignored, the {@code max-sides-per-key} cap told to every trace on the key once and to each dropped
 * side, one state entry per key and no timers, and with a horizon the key's state gone
 * {@code max-hop-delay} (processing time) after its last change.
 */
class HopPairingFunctionTest {

    private static final long T0 = 1_732_400_000_000L;
    private static final long MAX_HOP_DELAY = TestConfigs.MAX_HOP_DELAY;
    private static final JoinKey M1 = Hops.key("m1");
    private static final JoinKey M2 = Hops.key("m2");

    private KeyedStage<JoinKey, HopSide, ResolverInput> stage;

    @AfterEach
    void close() throws Exception {
        stage.close();
    }

    private void open(StitchConfig config) throws Exception {
        stage = Harnesses.hopPairing(config);
    }

    /** What the stage tells the resolver when {@code side} arrives. */
    private List<String> add(HopSide side) throws Exception {
        stage.add(side, T0);
        return stage.drain().stream().map(Hops::describe).toList();
    }

    @Test
    void aReceiverFirstLearnsThatNothingPublishedYetThenEachPublisherOnce() throws Exception {
        open(TestConfigs.bounded().build());
        assertThat(add(receiver(M1, "r1"))).containsExactly("r1 <- m1 []");
        assertThat(add(publisher(M1, "p1"))).containsExactly("r1 <- m1 [p1]");
        assertThat(add(publisher(M1, "p2"))).containsExactly("r1 <- m1 [p2]");
        assertThat(add(receiver(M1, "r2"))).containsExactly("r2 <- m1 [p1, p2]");
        assertThat(stage.stateEntries()).isOne();
        assertThat(stage.eventTimeTimers()).isZero();
    }

    @Test
    void aPublisherFirstIsToldToEachReceiverAsItArrives() throws Exception {
        open(TestConfigs.bounded().build());
        assertThat(add(publisher(M1, "p1"))).as("nobody to tell yet").isEmpty();
        assertThat(add(receiver(M1, "r1"))).containsExactly("r1 <- m1 [p1]");
        assertThat(add(receiver(M1, "r2"))).containsExactly("r2 <- m1 [p1]");
        assertThat(stage.eventTimeTimers()).isZero();
    }

    /** A trace sends its hop sides again each time it closes again (a revision): nothing new to pair. */
    @Test
    void aSideAlreadyOnTheKeyIsIgnored() throws Exception {
        open(TestConfigs.bounded().build());
        add(publisher(M1, "p1"));
        add(receiver(M1, "r1"));
        assertThat(add(publisher(M1, "p1"))).isEmpty();
        assertThat(add(receiver(M1, "r1"))).isEmpty();
        assertThat(add(receiver(M1, "p1"))).as("the other side of a known trace is new").containsExactly("p1 <- m1 [p1]");
    }

    @Test
    void keysArePairedApart() throws Exception {
        open(TestConfigs.bounded().build());
        add(publisher(M1, "p1"));
        assertThat(add(receiver(M2, "r2"))).containsExactly("r2 <- m2 []");
        assertThat(stage.stateEntries()).isEqualTo(2);
    }

    @Test
    void theCapTellsEveryTraceOnTheKeyOnceAndEachDroppedSide() throws Exception {
        open(TestConfigs.bounded().set(StitchOptions.MAX_SIDES_PER_KEY, 3).build());
        add(publisher(M1, "p1"));
        add(receiver(M1, "r1"));
        add(receiver(M1, "r2"));

        assertThat(add(receiver(M1, "r3")))
                .containsExactly("p1 capped m1", "r1 capped m1", "r2 capped m1", "r3 capped m1");
        assertThat(add(publisher(M1, "p2"))).as("dropped: not paired with r1, r2").containsExactly("p2 capped m1");
        assertThat(add(receiver(M1, "r4"))).containsExactly("r4 capped m1");
        assertThat(add(receiver(M1, "r1"))).as("kept sides are not told twice").isEmpty();
        assertThat(stage.tally("hopSidesDropped")).isEqualTo(3);
    }

    @Test
    void withAHorizonAKeyUnchangedForMaxHopDelayStartsAfresh() throws Exception {
        open(TestConfigs.endless().build());
        stage.setStateClock(0);
        add(publisher(M1, "p1"));
        stage.setStateClock(MAX_HOP_DELAY - 1);
        assertThat(add(receiver(M1, "r1"))).as("still there").containsExactly("r1 <- m1 [p1]");

        stage.setStateClock(MAX_HOP_DELAY - 1 + MAX_HOP_DELAY - 1);
        assertThat(add(receiver(M1, "r2"))).as("r1's arrival kept the key").containsExactly("r2 <- m1 [p1]");

        stage.setStateClock(MAX_HOP_DELAY - 1 + 2 * MAX_HOP_DELAY);
        assertThat(add(receiver(M1, "r3"))).as("expired: a late side starts afresh").containsExactly("r3 <- m1 []");
        assertThat(add(publisher(M1, "p1"))).as("and p1 is new again").containsExactly("r3 <- m1 [p1]");
        assertThat(stage.stateEntries()).isOne();
    }

    @Test
    void withAHorizonTheCapExpiresWithTheKey() throws Exception {
        open(TestConfigs.endless().set(StitchOptions.MAX_SIDES_PER_KEY, 1).build());
        stage.setStateClock(0);
        add(publisher(M1, "p1"));
        assertThat(add(receiver(M1, "r1"))).containsExactly("p1 capped m1", "r1 capped m1");
        stage.setStateClock(MAX_HOP_DELAY);
        assertThat(add(receiver(M1, "r2"))).containsExactly("r2 <- m1 []");
    }

    @Test
    void withoutAHorizonAKeyIsKeptToTheEndOfInput() throws Exception {
        open(TestConfigs.bounded().build());
        stage.setStateClock(0);
        add(publisher(M1, "p1"));
        stage.setStateClock(1_000 * MAX_HOP_DELAY);
        assertThat(add(receiver(M1, "r1"))).containsExactly("r1 <- m1 [p1]");
    }
}
