package io.tracestitch.operators.hop;

import io.tracestitch.model.HopSide;
import io.tracestitch.model.JoinKey;
import io.tracestitch.model.ResolverInput;
import io.tracestitch.operators.IdArrays;
import java.util.ArrayList;
import java.util.List;

/**
 * Pairs the traces that published a message with those that received it, in either arrival order,
 * and says what the resolver must learn. Each pair is reported once: a receiver learns every
 * publisher known when it arrives (possibly none, which the resolver needs for "unmatched"), and
 * each receiver learns a later publisher alone. So the work and the records sent grow with the
 * number of pairs, not with their square.
 *
 * <p>At most {@code maxSides} traces are kept per key. The side that would exceed it is dropped and
 * told that the key is capped, and so, once, is every trace already on the key: their pairing may
 * be incomplete, and their transactions say so.
 */
public final class HopPairing {

    private final int maxSides;

    public HopPairing(int maxSides) {
        this.maxSides = maxSides;
    }

    /** What adding {@code side} to {@code sides} (changed in place) tells the resolver. */
    public Outcome add(HopSides sides, HopSide side) {
        boolean publish = side.publish();
        if (publish ? IdArrays.contains(sides.publishers, sides.publisherCount, side.traceId())
                : IdArrays.contains(sides.receivers, sides.receiverCount, side.traceId())) {
            return Outcome.NOTHING;
        }
        JoinKey key = side.key();
        String tenant = key.tenant();
        List<ResolverInput> tell = new ArrayList<>();
        if (sides.size() >= maxSides) {
            boolean newlyCapped = !sides.capped;
            if (newlyCapped) {
                sides.capped = true;
                for (String[] traces : List.of(sides.publishers, sides.receivers)) {
                    for (String trace : traces) {
                        if (trace != null) {
                            tell.add(new ResolverInput.KeyCapped(tenant, trace, key));
                        }
                    }
                }
            }
            tell.add(new ResolverInput.KeyCapped(tenant, side.traceId(), key));
            return new Outcome(tell, true, newlyCapped);
        }
        if (publish) {
            sides.publishers = IdArrays.add(sides.publishers, sides.publisherCount++, side.traceId());
            String[] added = {side.traceId()};
            for (String receiver : sides.receivers) {
                if (receiver != null) {
                    tell.add(new ResolverInput.ProducersFound(tenant, receiver, key, added));
                }
            }
        } else {
            sides.receivers = IdArrays.add(sides.receivers, sides.receiverCount++, side.traceId());
            tell.add(new ResolverInput.ProducersFound(tenant, side.traceId(), key,
                    IdArrays.toArray(sides.publishers, sides.publisherCount)));
        }
        return new Outcome(tell, false, true);
    }

    /** What to send on, whether the side was dropped at the cap, and whether {@code sides} changed. */
    public record Outcome(List<ResolverInput> tell, boolean dropped, boolean changed) {
        static final Outcome NOTHING = new Outcome(List.of(), false, false);
    }
}
