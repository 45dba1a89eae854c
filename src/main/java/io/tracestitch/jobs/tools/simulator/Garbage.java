package io.tracestitch.jobs.tools.simulator;

import static io.tracestitch.jobs.tools.simulator.Time.MS_US;

import java.util.List;

/** Malformed lines of many kinds, as real input carries now and then; the job must drop them and go on. */
final class Garbage {

    private final double rate;
    private final List<String> accounts;
    private final RandomStream rnd;
    private final Render render;
    private final Agenda agenda;

    Garbage(double rate, List<String> accounts, RandomStream rnd, Render render, Agenda agenda) {
        this.rate = rate;
        this.accounts = accounts;
        this.rnd = rnd;
        this.render = render;
        this.agenda = agenda;
    }

    /** Whether a malformed line follows a line: rate / (1 - rate) per line makes rate the share of all lines. */
    boolean follows() {
        return rate > 0 && rnd.chance(rate / (1 - rate));
    }

    String line() {
        String tenant = rnd.pick(accounts);
        return switch (rnd.nextInt(13)) {
            case 0 -> "not json at all";
            case 1 -> "\u0000\u0001";
            case 2 -> "[]";
            case 3 -> "42";
            case 4 -> "[{\"type\":\"span\"}]";
            case 5 -> "{\"type\":\"mystery\"}";
            case 6 -> "{\"type\":\"span\",\"traceId\":null,\"spanId\":\"" + rnd.hex16() + "\"}";
            case 7 -> "{\"type\":\"span\",\"tenant\":\"" + tenant + "\",\"spanId\":\"" + rnd.hex16()
                    + "\",\"service\":\"payments\",\"name\":\"payments invoke\",\"kind\":\"server\",\"startMs\":1,\"endMs\":2}";
            case 8 -> "{\"type\":\"span\",\"tenant\":\"" + tenant + "\",\"traceId\":\"" + rnd.hex32() + "\",\"spanId\":\""
                    + rnd.hex16() + "\",\"startMs\":\"yesterday\",\"endMs\":5}";
            case 9 -> render.span(new SimulatedSpan(tenant, "f".repeat(300), rnd.hex16(), null, "payments",
                    "payments invoke", "server", agenda.nowUs(), agenda.nowUs() + MS_US, false, rnd.uuid(), List.of(),
                    List.of(), false));
            case 10 -> "{\"type\":\"span\",\"tenant\":\"" + tenant + "\",\"traceId\":\"" + rnd.hex32() + "\",\"spanId\":\""
                    + rnd.hex16() + "\",\"service\":\"s\",\"name\":\"n\",\"kind\":\"server\",\"startMs\":1,\"endMs\":2,\"messages\":\"sns\"}";
            case 11 -> "{\"type\":\"span\",\"tenant\":\"" + tenant + "\",\"traceId\":";
            default -> rnd.nextBoolean()
                    ? "{\"messageType\":\"DATA_MESSAGE\",\"owner\":\"" + tenant + "\",\"logGroup\":\"/aws/lambda/payments\",\"logEvents\":\"none\"}"
                    : "{\"type\":\"log\",\"tenant\":\"" + tenant + "\",\"message\":12}";
        };
    }
}
