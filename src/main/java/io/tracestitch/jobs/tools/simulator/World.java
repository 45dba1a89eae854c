package io.tracestitch.jobs.tools.simulator;

import static io.tracestitch.jobs.tools.simulator.Time.MS_US;
import static io.tracestitch.jobs.tools.simulator.Time.SECOND_US;
import static io.tracestitch.jobs.tools.simulator.Topology.CLIENT_OPERATIONS;
import static io.tracestitch.jobs.tools.simulator.Topology.DOWNSTREAM;
import static io.tracestitch.jobs.tools.simulator.Topology.ENTRY_FUNCTION;
import static io.tracestitch.jobs.tools.simulator.Topology.ORDERS;

import io.tracestitch.jobs.tools.simulator.Environments.Placement;
import io.tracestitch.jobs.tools.simulator.Invocation.Outcome;
import io.tracestitch.jobs.tools.simulator.ShopSimulator.Options;
import io.tracestitch.jobs.tools.simulator.SimulatedSpan.Link;
import io.tracestitch.jobs.tools.simulator.SimulatedSpan.MessageRef;
import io.tracestitch.jobs.tools.simulator.Topology.Channel;
import io.tracestitch.jobs.tools.simulator.Topology.MessagingSystem;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The shop as a discrete-event simulation, run in event-time order: entry requests arrive per tenant,
 * every Lambda invocation writes spans and logs and may publish downstream, and channels deliver the
 * messages to their consumers, one by one or in batches that mix requests (fan-in).
 */
final class World {

    private static final long MEAN_INTER_ARRIVAL_US = 400 * MS_US;
    /** Share of entry requests whose first branch always continues, so chains reach maxDepth. */
    private static final double SPINE_RATE = 0.2;
    /** A non-spine invocation publishes downstream with this probability; kept below 1 so fan-out stays finite. */
    private static final double CONTINUE_RATE = 0.55;
    private static final double BRANCH_RATE = 0.1;
    private static final double ERROR_RATE = 0.01;
    private static final long TIMEOUT_US = 3 * SECOND_US;
    private static final double NEVER_EMITTED_LINK_RATE = 0.2;

    /** What a consumer's root span says about the messages that invoked it. */
    private record Received(List<MessageRef> messages, List<Link> links) {}

    private final Options o;
    private final RandomStream rnd;
    private final List<Tenant> tenants = new ArrayList<>();
    private final Agenda agenda = new Agenda();
    private final MessageIds messageIds;
    private final OutputOrder order;
    private final Output output;
    private final InvocationLogs logs;
    private final LogShipping logShipping;

    World(Options o, Consumer<String> out) {
        this.o = o;
        this.rnd = new RandomStream(o.seed());
        for (String account : o.tenants()) tenants.add(new Tenant(tenants.size(), account));
        // The first draws of every world: each stream's starting sequence number.
        this.messageIds = new MessageIds(tenants.size(), o.collidingIdRate(), rnd);
        Render render = new Render();
        this.order = new OutputOrder(o.order(), o.seed(), out);
        Garbage garbage = new Garbage(o.garbageRate(), o.tenants(), rnd, render, agenda);
        this.output = new Output(o.duplicateRate(), rnd, render, garbage, agenda, order);
        this.logs = new InvocationLogs(o.jsonLogRate(), rnd);
        this.logShipping = new LogShipping(o.envelopeRate(), rnd, render, agenda, output);
    }

    void run() {
        if (o.requestsPerTenant() > 0) {
            for (Tenant t : tenants) agenda.at(o.startMs() * Time.MS_US + rnd.nextLong(MEAN_INTER_ARRIVAL_US), () -> request(t));
        }
        agenda.run(order::advance);
        logShipping.flush();
        order.finish();
    }

    /** An entry request; requests of one tenant arrive as a Poisson process. */
    private void request(Tenant t) {
        boolean spine = t.requestsStarted == 0 || rnd.chance(SPINE_RATE);
        t.requestsStarted++;
        if (t.requestsStarted < o.requestsPerTenant()) {
            agenda.at(agenda.nowUs() + rnd.exponential(MEAN_INTER_ARRIVAL_US) + 1, () -> request(t));
        }
        invoke(t, ENTRY_FUNCTION, null, List.of(), 1, spine);
    }

    /**
     * One Lambda invocation: its root span, client and producer children, and its log lines.
     * trigger is null for an entry request; depth counts the traces from the entry request.
     */
    private void invoke(Tenant t, String function, Channel trigger, List<Delivery> received, int depth, boolean spine) {
        String requestId = rnd.uuid();
        String traceId = rnd.hex32();
        String rootSpan = rnd.hex16();
        long startUs = agenda.nowUs();
        Placement placement = t.environments.place(function, startUs, o.snapStartRate(), rnd);
        Outcome outcome = rnd.chance(o.timeoutRate()) ? Outcome.TIMEOUT
                : rnd.chance(ERROR_RATE) ? Outcome.ERROR : Outcome.SUCCESS;

        long cursorUs = callClients(t, function, traceId, rootSpan, startUs + rnd.between(100, 1500));
        if (depth < o.maxDepth()) {
            List<Channel> outs = downstream(trigger, spine);
            for (int i = 0; i < outs.size(); i++) {
                cursorUs = publish(t, function, traceId, rootSpan, outs.get(i), cursorUs, depth, spine && i == 0);
            }
        }
        long durationUs = outcome == Outcome.TIMEOUT ? TIMEOUT_US : cursorUs + rnd.between(MS_US, 20 * MS_US) - startUs;

        Received in = trigger == null ? new Received(List.of(), List.of()) : receive(t, trigger, function, received);
        output.span(new SimulatedSpan(t.account, traceId, rootSpan, null, function, function + " invoke",
                trigger == null ? "server" : "consumer", startUs, startUs + durationUs, outcome != Outcome.SUCCESS,
                requestId, in.messages(), in.links(), false));
        Invocation invocation = new Invocation(function, requestId, placement, startUs, durationUs, outcome);
        logShipping.ship(t.account, function, placement.environment(), logs.of(invocation));
    }

    /** The invocation's calls to other services, one after another from startUs; returns when they are done. */
    private long callClients(Tenant t, String function, String traceId, String parentSpan, long startUs) {
        long cursorUs = startUs;
        int clients = 1 + rnd.nextInt(3);
        for (int i = 0; i < clients; i++) {
            long endUs = cursorUs + rnd.between(3 * MS_US, 40 * MS_US);
            output.span(new SimulatedSpan(t.account, traceId, rnd.hex16(), parentSpan, function,
                    rnd.pick(CLIENT_OPERATIONS), "client", cursorUs, endUs, false, null, List.of(), List.of(), false));
            cursorUs = endUs + rnd.between(100, 2 * MS_US);
        }
        return cursorUs;
    }

    /** The entry request always publishes its order; a consumer goes on if on the spine or by chance, and may branch. */
    private List<Channel> downstream(Channel trigger, boolean spine) {
        if (trigger == null) return List.of(ORDERS);
        List<Channel> outs = new ArrayList<>(2);
        if (spine || rnd.chance(CONTINUE_RATE)) outs.add(rnd.pick(DOWNSTREAM));
        if (rnd.chance(BRANCH_RATE)) outs.add(rnd.pick(DOWNSTREAM));
        return outs;
    }

    /** Emits one producer span (unless untraced) and hands its messages to the channel. Returns when the invocation goes on. */
    private long publish(Tenant t, String function, String traceId, String parentSpan, Channel c, long startUs,
                         int depth, boolean spine) {
        int records = switch (c.system()) {
            case KINESIS -> 1 + rnd.nextInt(3);
            case SQS -> rnd.chance(0.1) ? 2 : 1;
            default -> 1;
        };
        String operation = c.system() == MessagingSystem.SQS && records > 1 ? "SQS.SendMessageBatch" : c.operation();
        String spanId = rnd.hex16();
        long endUs = startUs + rnd.between(5 * MS_US, 50 * MS_US);
        boolean traced = !rnd.chance(o.untracedProducerRate());
        String destination = t.producerDestination(c, rnd);
        List<MessageRef> messages = new ArrayList<>(records);
        for (int i = 0; i < records; i++) {
            String id = messageIds.next(t.index, c);
            messages.add(new MessageRef(c.system().wire, "publish", destination, id));
            deliver(t, c, new Delivery(id, depth, spine && i == 0, traceId, spanId, traced), endUs);
        }
        if (traced) {
            output.span(new SimulatedSpan(t.account, traceId, spanId, parentSpan, function, operation, "producer",
                    startUs, endUs, false, null, messages, List.of(), rnd.chance(0.5)));
        }
        return endUs + rnd.between(100, 2 * MS_US);
    }

    /** A push channel invokes some of its consumers per message; a batch channel queues it for its consumer's poll. */
    private void deliver(Tenant t, Channel c, Delivery d, long sentUs) {
        if (c.batched()) {
            Tenant.Batch batch = t.batch(c);
            batch.waiting.add(d);
            if (!batch.pollScheduled) {
                batch.pollScheduled = true;
                agenda.at(sentUs + c.delayUs(rnd), () -> poll(t, c));
            }
            return;
        }
        List<String> targets = new ArrayList<>(c.consumers());
        rnd.shuffle(targets);
        int fanOut = c.minFanOut() + rnd.nextInt(c.maxFanOut() - c.minFanOut() + 1);
        for (int i = 0; i < fanOut; i++) {
            Delivery copy = i == 0 ? d : d.offSpine();
            String consumer = targets.get(i);
            agenda.at(sentUs + c.delayUs(rnd), () -> invoke(t, consumer, c, List.of(copy), copy.depth() + 1, copy.spine()));
        }
    }

    /** A batch consumer takes whatever has accumulated: records of different requests meet here (fan-in). */
    private void poll(Tenant t, Channel c) {
        Tenant.Batch batch = t.batch(c);
        List<Delivery> taken = new ArrayList<>(c.maxBatch());
        int depth = 0;
        boolean spine = false;
        while (!batch.waiting.isEmpty() && taken.size() < c.maxBatch()) {
            Delivery d = batch.waiting.poll();
            taken.add(d);
            depth = Math.max(depth, d.depth());
            spine |= d.spine();
        }
        if (batch.waiting.isEmpty()) {
            batch.pollScheduled = false;
        } else {
            agenda.at(agenda.nowUs() + rnd.between(50 * MS_US, 300 * MS_US), () -> poll(t, c));
        }
        invoke(t, c.consumers().get(0), c, taken, depth + 1, spine);
    }

    /** SQS consumers may link to the producer spans; a linked message is then sometimes named by its link only. */
    private Received receive(Tenant t, Channel trigger, String function, List<Delivery> deliveries) {
        String destination = t.consumerDestination(trigger, function, rnd);
        boolean linked = trigger.system() == MessagingSystem.SQS && rnd.chance(o.linkRate());
        List<MessageRef> messages = new ArrayList<>(deliveries.size());
        List<Link> links = linked ? new ArrayList<>() : List.of();
        for (Delivery d : deliveries) {
            boolean linkOnly = false;
            if (linked && d.traced()) {
                links.add(new Link(d.producerTrace(), d.producerSpan()));
                linkOnly = rnd.nextBoolean();
            }
            if (!linkOnly) messages.add(new MessageRef(trigger.system().wire, "receive", destination, d.id()));
        }
        if (linked && rnd.chance(NEVER_EMITTED_LINK_RATE)) links.add(new Link(rnd.hex32(), rnd.hex16()));
        return new Received(messages, links);
    }
}
