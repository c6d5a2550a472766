package io.famfsrocks.cli.serve;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/** A fixed-bucket latency histogram in the Prometheus shape. Thread-safe, lock-free. */
final class LatencyHistogram {
    static final double[] BOUNDS_SECONDS = {
        0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1};

    private final AtomicLongArray buckets = new AtomicLongArray(BOUNDS_SECONDS.length);
    private final LongAdder count = new LongAdder();
    private final LongAdder sumNanos = new LongAdder();

    void record(long nanos) {
        double s = nanos / 1e9;
        for (int i = 0; i < BOUNDS_SECONDS.length; i++) {
            if (s <= BOUNDS_SECONDS[i]) {
                buckets.incrementAndGet(i);
                break;
            }
        }
        count.increment();
        sumNanos.add(nanos);
    }

    void appendTo(StringBuilder out, String name, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(" histogram\n");
        long cumulative = 0;
        for (int i = 0; i < BOUNDS_SECONDS.length; i++) {
            cumulative += buckets.get(i);
            out.append(name).append("_bucket{le=\"").append(BOUNDS_SECONDS[i]).append("\"} ").append(cumulative).append('\n');
        }
        out.append(name).append("_bucket{le=\"+Inf\"} ").append(count.sum()).append('\n');
        out.append(name).append("_sum ").append(sumNanos.sum() / 1e9).append('\n');
        out.append(name).append("_count ").append(count.sum()).append('\n');
    }
}
