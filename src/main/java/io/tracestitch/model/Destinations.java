package io.tracestitch.model;

/**
 * Normalises messaging systems and destinations so that the forms producers and consumers use for
 * the same resource compare equal: a stream's name, ARN and enhanced fan-out consumer ARN; a
 * queue's name, ARN and URL; a topic's name and ARN.
 */
public final class Destinations {

    private Destinations() {}

    public static String system(String raw) {
        String s = raw.toLowerCase(java.util.Locale.ROOT);
        return switch (s) {
            case "aws_sqs", "aws.sqs", "amazon_sqs" -> "sqs";
            case "aws.sns", "aws_sns", "amazon_sns" -> "sns";
            case "aws.kinesis", "aws_kinesis", "amazon_kinesis" -> "kinesis";
            case "events", "aws.events", "aws_events", "aws.eventbridge" -> "eventbridge";
            default -> s;
        };
    }

    /** The resource's short name: what is left after ARN, URL and consumer suffixes. */
    public static String normalise(String system, String destination) {
        if (destination == null || destination.isEmpty()) {
            return "";
        }
        String d = destination;
        if (d.startsWith("https://") || d.startsWith("http://")) {
            int slash = d.lastIndexOf('/');
            return slash >= 0 ? d.substring(slash + 1) : d;
        }
        if (d.startsWith("arn:")) {
            // arn:partition:service:region:account:resource
            String[] parts = d.split(":", 6);
            if (parts.length < 6) {
                return d;
            }
            String resource = parts[5];
            if ("kinesis".equals(parts[2]) && resource.startsWith("stream/")) {
                String rest = resource.substring("stream/".length());
                int consumer = rest.indexOf('/');
                return consumer >= 0 ? rest.substring(0, consumer) : rest;
            }
            if ("events".equals(parts[2]) && resource.startsWith("event-bus/")) {
                return resource.substring("event-bus/".length());
            }
            return resource;
        }
        return d;
    }
}
