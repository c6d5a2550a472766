package io.famfsrocks.cli.rocks;

import io.famfsrocks.cli.CliException;
import io.famfsrocks.cli.ExitCode;

import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The demo's lookup phase: one unmeasured round on every host, then {@code rounds} measured
 * ones; round r asks every host for the same keys (seed r), one host at a time, starting with
 * host r mod n so that no host is always first or last. Each host compares every value with
 * the model; a wrong one stops the demo with CHECK_FAILED. The rates land in each host's
 * {@link DemoHostFigures}. Stateless; not thread-safe in that the figures it fills are not
 * (the demo's main thread runs it).
 */
final class DemoLookups {
    private DemoLookups() {
    }

    /** Runs the rounds on {@code all}, comparing with the model at {@code counter}. */
    static void measure(List<DemoHostFigures> all, int rounds, int perRound, long counter, BooleanSupplier stopping)
            throws InterruptedException {
        for (int r = 0; r <= rounds; r++) {
            for (int i = 0; i < all.size(); i++) {
                if (stopping.getAsBoolean()) {
                    throw DemoCommand.interrupted();
                }
                DemoHostFigures m = all.get((r + i) % all.size());
                String l = m.host.ask("bench " + perRound + " " + r + " " + counter, 300);
                if (l.startsWith("WRONG")) {
                    throw new CliException(ExitCode.CHECK_FAILED, "WRONG VALUE from " + m.who() + ": "
                            + l.substring("WRONG ".length()));
                }
                if (!l.startsWith("BENCH")) {
                    throw new CliException(ExitCode.CHECK_FAILED, "lookups on " + m.who() + " failed: " + l);
                }
                if (r > 0) {
                    m.rates.add(Long.parseLong(DemoHosts.field(l, "ops"))
                            / (Long.parseLong(DemoHosts.field(l, "nanos")) / 1e9));
                }
            }
        }
    }
}
