package io.tracestitch.jobs.tools.simulator;

import static io.tracestitch.jobs.tools.simulator.Time.MS_US;

import java.util.List;
import java.util.stream.Stream;

/**
 * The shop's resources, the same in every account: the entry function, which publishes to {@link #ORDERS},
 * and the {@link #DOWNSTREAM} channels every further Lambda may publish to, with their consumers.
 */
final class Topology {

    enum MessagingSystem {
        SNS("sns"), SQS("sqs"), KINESIS("kinesis"), EVENTBRIDGE("eventbridge");

        /** The name spans carry in their messages' {@code system} field. */
        final String wire;

        MessagingSystem(String wire) {
            this.wire = wire;
        }
    }

    /**
     * A topic, queue, stream or bus, with the Lambdas that consume it. Push channels (maxBatch 1) invoke
     * minFanOut..maxFanOut of their consumers per message; batch channels invoke their one consumer with
     * up to maxBatch records. index is the channel's position in {@link #CHANNELS}.
     */
    record Channel(int index, MessagingSystem system, String name, List<String> consumers, int minFanOut,
                   int maxFanOut, int maxBatch, long minDelayUs, long maxDelayUs, String operation) {

        boolean batched() {
            return maxBatch > 1;
        }

        /** How long a message takes from its producer to the consumer. */
        long delayUs(RandomStream rnd) {
            return rnd.between(minDelayUs, maxDelayUs);
        }
    }

    static final Channel ORDERS = new Channel(0, MessagingSystem.SNS, "orders",
            List.of("payments", "inventory", "fraud-check", "notifier"), 2, 3, 1, 30 * MS_US, 300 * MS_US, "SNS.Publish");
    static final List<Channel> DOWNSTREAM = List.of(
            new Channel(1, MessagingSystem.KINESIS, "payments", List.of("ledger"), 1, 1, 5, 500 * MS_US, 2000 * MS_US, "Kinesis.PutRecords"),
            new Channel(2, MessagingSystem.KINESIS, "clickstream", List.of("analytics"), 1, 1, 8, 500 * MS_US, 2000 * MS_US, "Kinesis.PutRecords"),
            new Channel(3, MessagingSystem.SQS, "shipping", List.of("shipping-worker"), 1, 1, 3, 20 * MS_US, 600 * MS_US, "SQS.SendMessage"),
            new Channel(4, MessagingSystem.SQS, "refunds", List.of("refunds-worker"), 1, 1, 3, 20 * MS_US, 600 * MS_US, "SQS.SendMessage"),
            new Channel(5, MessagingSystem.EVENTBRIDGE, "shop", List.of("audit", "billing", "search-indexer"), 1, 2, 1, 100 * MS_US, 500 * MS_US, "EventBridge.PutEvents"),
            new Channel(6, MessagingSystem.SNS, "notifications", List.of("email-sender", "push-sender"), 2, 2, 1, 30 * MS_US, 300 * MS_US, "SNS.Publish"));
    static final List<Channel> CHANNELS = Stream.concat(Stream.of(ORDERS), DOWNSTREAM.stream()).toList();

    static final String ENTRY_FUNCTION = "orders-api";
    static final String[] CLIENT_OPERATIONS = {"DynamoDB.Query", "DynamoDB.PutItem", "DynamoDB.GetItem",
            "S3.GetObject", "HTTP GET", "SecretsManager.GetSecretValue"};
    private static final int[] MEMORY_SIZES_MB = {256, 512, 1024};

    private Topology() {}

    static int memorySizeMb(String function) {
        return MEMORY_SIZES_MB[Math.floorMod(function.hashCode(), MEMORY_SIZES_MB.length)];
    }

    static String arn(String account, Channel c) {
        return switch (c.system()) {
            case SNS -> "arn:aws:sns:us-east-1:" + account + ":" + c.name();
            case SQS -> "arn:aws:sqs:us-east-1:" + account + ":" + c.name();
            case KINESIS -> "arn:aws:kinesis:us-east-1:" + account + ":stream/" + c.name();
            case EVENTBRIDGE -> "arn:aws:events:us-east-1:" + account + ":event-bus/" + c.name();
        };
    }

    static String queueUrl(String account, Channel c) {
        return "https://sqs.us-east-1.amazonaws.com/" + account + "/" + c.name();
    }
}
