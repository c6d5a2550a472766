package io.famfsrocks.cli.rocks;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the demo measured on one replica or baseline host: its full-scan check answer, its
 * lookup rates per measured round, its RSS, its mount's page cache and its lag samples. The
 * measurement phases fill it in, the report reads it. Not thread-safe: only the demo's main
 * thread touches it.
 */
final class DemoHostFigures {
    final DemoHosts host;
    /** null for the baseline; a replica over a pool has a mount per epoch: the demo sets the current one before measuring. */
    Path mount;
    String checked;
    final List<Double> rates = new ArrayList<>();
    long[] rss; // VmRSS, RssAnon, RssFile, RssShmem (bytes), or null
    long pageCache = -1;
    long[] lagNanos;
    long[] writeNanos;

    DemoHostFigures(DemoHosts host, Path mount) {
        this.host = host;
        this.mount = mount;
    }

    /** The median of the measured rounds' lookup rates. */
    double median() {
        double[] r = rates.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return r.length % 2 == 1 ? r[r.length / 2] : (r[r.length / 2 - 1] + r[r.length / 2]) / 2;
    }

    /** How error messages name this host. */
    String who() {
        return mount == null ? "the baseline host" : "replica host " + host.name();
    }
}
