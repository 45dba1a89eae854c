package io.tracestitch.model;

/** One trace's side of an async hop: it published or received the message with this join key. */
public record HopSide(String joinKey, String tenant, String traceId, boolean publish) {}
