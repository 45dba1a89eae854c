package io.tracestitch.operators;

import io.tracestitch.model.MessageRef;
import io.tracestitch.model.Span;
import io.tracestitch.model.SpanLink;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Duplicate deliveries of a span count once; if the copies differ, their messages and links are unioned. */
public final class SpanUnion {

    private SpanUnion() {}

    /** Adds spans to those already known (by span id), unioning duplicates. Returns a new array. */
    public static Span[] merge(Span[] known, Iterable<Span> added) {
        Map<String, Span> byId = new LinkedHashMap<>();
        for (Span s : known) {
            byId.put(s.spanId(), s);
        }
        for (Span s : added) {
            byId.merge(s.spanId(), s, SpanUnion::union);
        }
        return byId.values().toArray(new Span[0]);
    }

    static Span union(Span a, Span b) {
        if (a.equals(b) || (sameRefs(a, b))) {
            return a;
        }
        Set<MessageRef> messages = new LinkedHashSet<>(List.of(a.messages()));
        messages.addAll(List.of(b.messages()));
        Set<SpanLink> links = new LinkedHashSet<>(List.of(a.links()));
        links.addAll(List.of(b.links()));
        return new Span(a.tenant(), a.traceId(), a.spanId(), a.parentSpanId(), a.service(), a.name(), a.kind(),
                a.startMs(), a.endMs(), a.error() || b.error(), a.requestId() != null ? a.requestId() : b.requestId(),
                messages.toArray(new MessageRef[0]), links.toArray(new SpanLink[0]), a.attributesJson());
    }

    private static boolean sameRefs(Span a, Span b) {
        return java.util.Arrays.equals(a.messages(), b.messages()) && java.util.Arrays.equals(a.links(), b.links())
                && a.error() == b.error() && java.util.Objects.equals(a.requestId(), b.requestId());
    }
}
