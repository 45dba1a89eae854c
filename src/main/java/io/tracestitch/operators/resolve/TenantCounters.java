package io.tracestitch.operators.resolve;

/** Mutable Flink POJO: one tenant's counters. They never expire: numbers are never handed out twice. */
public class TenantCounters {
    /** The last plan's number: the assembler writes the tenant's plans in this order. */
    public long planSeq;
    /** The last number put into a transaction id (numbered ids only). */
    public long idNumber;
}
