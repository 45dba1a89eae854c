package io.tracestitch.jobs.tools.simulator;

import io.tracestitch.jobs.tools.simulator.Topology.Channel;
import io.tracestitch.jobs.tools.simulator.Topology.MessagingSystem;

import java.util.ArrayDeque;

/** One account of the shop: its resource names (precomputed), waiting batches, environments and requests. */
final class Tenant {

    /** Records waiting on a batch channel, and whether its consumer's next poll is already scheduled. */
    static final class Batch {
        final ArrayDeque<Delivery> waiting = new ArrayDeque<>();
        boolean pollScheduled;
    }

    final int index;
    final String account;
    final Environments environments = new Environments();
    int requestsStarted;
    private final String[] arns = new String[Topology.CHANNELS.size()];
    private final String[] queueUrls = new String[Topology.CHANNELS.size()];
    private final Batch[] batches = new Batch[Topology.CHANNELS.size()];

    Tenant(int index, String account) {
        this.index = index;
        this.account = account;
        for (Channel c : Topology.CHANNELS) {
            arns[c.index()] = Topology.arn(account, c);
            queueUrls[c.index()] = Topology.queueUrl(account, c);
            batches[c.index()] = new Batch();
        }
    }

    Batch batch(Channel c) {
        return batches[c.index()];
    }

    /** Producers name destinations by ARN, though SQS senders sometimes use the queue URL. */
    String producerDestination(Channel c, RandomStream rnd) {
        return c.system() == MessagingSystem.SQS && rnd.chance(0.3) ? queueUrls[c.index()] : arns[c.index()];
    }

    /** Consumers name destinations as the Lambda event does: by ARN, URL, bare name or consumer ARN. */
    String consumerDestination(Channel c, String function, RandomStream rnd) {
        double r = rnd.nextDouble();
        String arn = arns[c.index()];
        return switch (c.system()) {
            case SQS -> r < 0.5 ? arn : r < 0.8 ? queueUrls[c.index()] : c.name();
            case KINESIS -> r < 0.55 ? arn : r < 0.8 ? c.name() : arn + "/consumer/" + function + ":1732400000";
            default -> arn;
        };
    }
}
