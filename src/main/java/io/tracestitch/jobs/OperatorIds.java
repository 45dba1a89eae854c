package io.tracestitch.jobs;

/** Stable operator uids (savepoints refer to them: never rename). */
final class OperatorIds {
    static final String PARSE = "parse";
    static final String SPAN_WATERMARKS = "span-watermarks";
    static final String LOG_WATERMARKS = "log-watermarks";
    static final String ASSEMBLE_TRACES = "assemble-traces";
    static final String PAIR_HOPS = "pair-hops";
    static final String JOIN_INVOCATIONS = "join-invocations";
    static final String RESOLVE_TRANSACTIONS = "resolve-transactions";
    static final String STORE_CONTENT = "store-content";
    static final String ASSEMBLE_TRANSACTIONS = "assemble-transactions";
    static final String ORDER_LINES = "order-lines";

    private OperatorIds() {}
}
