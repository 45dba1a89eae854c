package io.tracestitch.operators.trace;

import io.tracestitch.model.MessageRef;
import io.tracestitch.model.Span;
import io.tracestitch.model.SpanLink;

import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Duplicate deliveries of a span count once; if the copies differ, their messages and links are
 * unioned. The result does not depend on which copy arrived first: the span's own fields come from
 * the copy that sorts first, and a union that grew lists its references in a canonical order.
 */
public final class SpanUnion {

    private static final Comparator<String> TEXT = Comparator.nullsFirst(Comparator.naturalOrder());
    private static final Comparator<Span> COPY_ORDER = Comparator.comparingDouble(Span::startMs)
            .thenComparingDouble(Span::endMs)
            .thenComparing(Span::name, TEXT)
            .thenComparing(Span::kind, TEXT)
            .thenComparing(Span::service, TEXT)
            .thenComparing(Span::parentSpanId, TEXT)
            .thenComparing(Span::attributesJson, TEXT);
    private static final Comparator<MessageRef> MESSAGE_ORDER = Comparator.comparing(MessageRef::system, TEXT)
            .thenComparing(MessageRef::publish)
            .thenComparing(MessageRef::destination, TEXT)
            .thenComparing(MessageRef::id, TEXT);
    private static final Comparator<SpanLink> LINK_ORDER =
            Comparator.comparing(SpanLink::traceId, TEXT).thenComparing(SpanLink::spanId, TEXT);

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
        Span base = COPY_ORDER.compare(a, b) <= 0 ? a : b;
        boolean sameReferences = Arrays.equals(a.messages(), b.messages()) && Arrays.equals(a.links(), b.links());
        if (sameReferences && a.error() == b.error() && Objects.equals(a.requestId(), b.requestId())) {
            return base;
        }
        MessageRef[] messages = a.messages();
        SpanLink[] links = a.links();
        if (!sameReferences) {
            TreeSet<MessageRef> allMessages = new TreeSet<>(MESSAGE_ORDER);
            allMessages.addAll(Arrays.asList(a.messages()));
            allMessages.addAll(Arrays.asList(b.messages()));
            TreeSet<SpanLink> allLinks = new TreeSet<>(LINK_ORDER);
            allLinks.addAll(Arrays.asList(a.links()));
            allLinks.addAll(Arrays.asList(b.links()));
            messages = allMessages.toArray(new MessageRef[0]);
            links = allLinks.toArray(new SpanLink[0]);
        }
        String requestId = a.requestId() == null ? b.requestId()
                : b.requestId() == null ? a.requestId() : TEXT.compare(a.requestId(), b.requestId()) <= 0
                ? a.requestId() : b.requestId();
        return new Span(base.tenant(), base.traceId(), base.spanId(), base.parentSpanId(), base.service(),
                base.name(), base.kind(), base.startMs(), base.endMs(), a.error() || b.error(), requestId,
                messages, links, base.attributesJson());
    }
}
