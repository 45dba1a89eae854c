package io.tracestitch.testing;

import static io.tracestitch.testing.Spans.TENANT;

import io.tracestitch.model.HopSide;
import io.tracestitch.model.JoinKey;
import io.tracestitch.model.ResolverInput;
import java.util.Arrays;

/** Join keys and hop sides of tenant {@link Spans#TENANT}. */
public final class Hops {

    private Hops() {}

    /** The join key of an SQS message (its queue is not part of the key). */
    public static JoinKey key(String messageId) {
        return JoinKey.of(TENANT, "sqs", "orders", messageId);
    }

    public static HopSide publisher(JoinKey key, String traceId) {
        return new HopSide(key, traceId, true);
    }

    public static HopSide receiver(JoinKey key, String traceId) {
        return new HopSide(key, traceId, false);
    }

    /**
     * What the hop stage told the resolver, readable in an assertion: {@code "r1 <- m1 [p1, p2]"} (r1
     * received m1, published by p1 and p2) or {@code "p1 capped m1"}.
     */
    public static String describe(ResolverInput told) {
        if (told instanceof ResolverInput.ProducersFound found) {
            return found.traceId() + " <- " + found.key().id() + " " + Arrays.toString(found.producers());
        }
        if (told instanceof ResolverInput.KeyCapped capped) {
            return capped.traceId() + " capped " + capped.key().id();
        }
        return told.toString();
    }
}
