package io.tracestitch.jobs;

/** Stable operator uids (savepoints refer to them: never rename). */
final class OperatorIds {
    static final String PARSE = "parse";
    static final String SPAN_WATERMARKS = "span-watermarks";
    static final String LOG_WATERMARKS = "log-watermarks";
    static final String KAFKA_SOURCE = "kafka-source";
    static final String KINESIS_SOURCE = "kinesis-source";
    static final String KINESIS_PARSE = "kinesis-parse";
    static final String KINESIS_WATERMARKS = "kinesis-watermarks";
    static final String ROUTE = "route";
    static final String ASSEMBLE_TRACES = "assemble-traces";
    static final String PAIR_HOPS = "pair-hops";
    static final String JOIN_INVOCATIONS = "join-invocations";
    static final String RESOLVE_TRANSACTIONS = "resolve-transactions";
    static final String STORE_CONTENT = "store-content";
    static final String ASSEMBLE_TRANSACTIONS = "assemble-transactions";
    static final String ORDER_LINES = "order-lines";
    static final String TOPIC_RECORDS = "topic-records";
    static final String TRANSACTIONS_SINK = "transactions-sink";
    static final String DEAD_LETTER_RECORDS = "dead-letter-records";
    static final String DEAD_LETTERS_SINK = "dead-letters-sink";
    static final String OTLP_SPANS = "otlp-spans";
    static final String OTLP_SINK = "otlp-sink";

    private OperatorIds() {}
}
