package io.tracestitch.jobs.tools.simulator;

import io.tracestitch.jobs.tools.simulator.Topology.Channel;
import io.tracestitch.jobs.tools.simulator.Topology.MessagingSystem;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Message ids as the services assign them, with the collisions real data has: with collidingIdRate an
 * SNS, SQS or EventBridge id reappears in another account, and a Kinesis sequence number on another
 * stream of the same account. Only the tenant and the stream tell such messages apart.
 */
final class MessageIds {

    private static final int COLLISION_POOL_SIZE = 256;
    private static final String KINESIS_SEQ_PREFIX = "49545115243490985018280067714973144582180";

    /** A recent id and who owns it: an account index, or for Kinesis a channel index. */
    private record Pooled(int owner, String id) {}

    private final double collidingIdRate;
    private final RandomStream rnd;
    private final Map<MessagingSystem, Deque<Pooled>> recentIds = new EnumMap<>(MessagingSystem.class);
    /** Per account: the last sequence number per channel index (only streams use theirs). */
    private final long[][] kinesisSequence;
    /** Per account: its recent Kinesis ids, owned by stream. */
    private final List<Deque<Pooled>> recentKinesisIds = new ArrayList<>();

    MessageIds(int accounts, double collidingIdRate, RandomStream rnd) {
        this.collidingIdRate = collidingIdRate;
        this.rnd = rnd;
        for (MessagingSystem s : MessagingSystem.values()) recentIds.put(s, new ArrayDeque<>());
        kinesisSequence = new long[accounts][Topology.CHANNELS.size()];
        for (int account = 0; account < accounts; account++) {
            for (Channel c : Topology.CHANNELS) kinesisSequence[account][c.index()] = rnd.nextLong(1_000_000_000_000L);
            recentKinesisIds.add(new ArrayDeque<>());
        }
    }

    String next(int account, Channel c) {
        boolean collide = rnd.chance(collidingIdRate);
        if (c.system() == MessagingSystem.KINESIS) {
            // Sequence numbers are unique per stream only; reusing one on another stream is legal.
            Deque<Pooled> recent = recentKinesisIds.get(account);
            if (collide) {
                String reused = takeFromOtherOwner(recent, c.index());
                if (reused != null) return reused;
            }
            long sequence = kinesisSequence[account][c.index()] += 1 + rnd.nextLong(1_000_000);
            // The two digits after the prefix are the stream's, so streams never repeat a number by accident.
            StringBuilder shardAndPrefix = new StringBuilder(80).append("shardId-00000000000").append(rnd.nextInt(4))
                    .append(':').append(KINESIS_SEQ_PREFIX).append(10 + c.index());
            String id = Render.zeroPadded(shardAndPrefix, sequence, 13).toString();
            remember(recent, new Pooled(c.index(), id));
            return id;
        }
        Deque<Pooled> recent = recentIds.get(c.system());
        if (collide) {
            String reused = takeFromOtherOwner(recent, account);
            if (reused != null) return reused;
        }
        String id = rnd.uuid();
        remember(recent, new Pooled(account, id));
        return id;
    }

    /** Takes (once) a pooled id whose owner differs from {@code owner}. */
    private static String takeFromOtherOwner(Deque<Pooled> pool, int owner) {
        for (Iterator<Pooled> it = pool.iterator(); it.hasNext(); ) {
            Pooled p = it.next();
            if (p.owner != owner) {
                it.remove();
                return p.id;
            }
        }
        return null;
    }

    private static void remember(Deque<Pooled> pool, Pooled p) {
        pool.addLast(p);
        if (pool.size() > COLLISION_POOL_SIZE) pool.removeFirst();
    }
}
