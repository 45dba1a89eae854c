package io.tracestitch.jobs.tools.simulator;

import io.tracestitch.jobs.tools.simulator.ShopSimulator.Options;
import io.tracestitch.jobs.tools.simulator.ShopSimulator.Order;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/** The flags of {@link ShopSimulator#main}: each one a with-method of Options, plus --out (null: stdout). */
record CommandLineFlags(Options options, Path out) {

    static CommandLineFlags parse(String[] args) {
        Options o = Options.defaults();
        Path out = null;
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) throw new IllegalArgumentException("missing value for " + args[i]);
            String v = args[i + 1];
            switch (args[i]) {
                case "--out" -> out = Path.of(v);
                case "--seed" -> o = o.withSeed(Long.parseLong(v));
                case "--tenants" -> o = o.withTenants(Arrays.asList(v.split(",")));
                case "--requests" -> o = o.withRequestsPerTenant(Integer.parseInt(v));
                case "--depth" -> o = o.withMaxDepth(Integer.parseInt(v));
                case "--untraced" -> o = o.withUntracedProducerRate(Double.parseDouble(v));
                case "--duplicates" -> o = o.withDuplicateRate(Double.parseDouble(v));
                case "--colliding" -> o = o.withCollidingIdRate(Double.parseDouble(v));
                case "--links" -> o = o.withLinkRate(Double.parseDouble(v));
                case "--json-logs" -> o = o.withJsonLogRate(Double.parseDouble(v));
                case "--envelopes" -> o = o.withEnvelopeRate(Double.parseDouble(v));
                case "--snapstart" -> o = o.withSnapStartRate(Double.parseDouble(v));
                case "--timeouts" -> o = o.withTimeoutRate(Double.parseDouble(v));
                case "--garbage" -> o = o.withGarbageRate(Double.parseDouble(v));
                case "--order" -> o = o.withOrder(Order.valueOf(v.toUpperCase(Locale.ROOT)));
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (--out --seed --tenants --requests --depth --untraced --duplicates --colliding"
                        + " --links --json-logs --envelopes --snapstart --timeouts --garbage --order)");
            }
        }
        return new CommandLineFlags(o, out);
    }
}
