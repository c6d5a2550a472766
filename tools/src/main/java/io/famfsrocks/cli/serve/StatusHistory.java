package io.famfsrocks.cli.serve;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The last {@link #SAMPLES} seconds of a serving replica, for the status page: once a second
 * the lag and version, and per read endpoint the requests answered and their latency
 * percentiles in that second (HdrHistogram interval histograms from a {@link Recorder}, so
 * recording is wait-free and a sample sees exactly the requests of its interval).
 * Thread-safe; close stops the sampling thread.
 */
final class StatusHistory implements AutoCloseable {
    static final int SAMPLES = 600;
    /** The endpoints whose rates and latencies the page shows. */
    static final List<ServeMetrics.Endpoint> READS = List.of(ServeMetrics.Endpoint.GET, ServeMetrics.Endpoint.BATCH_GET,
            ServeMetrics.Endpoint.SCAN);

    /** One endpoint over one interval: requests per second and latency percentiles in ms (0 with no requests). */
    record Rate(double perSecond, double p50Ms, double p99Ms, double maxMs) {}

    /** One sample: when (epoch ms), the lag and version then, and each read endpoint's rate since the sample before. */
    record Point(long t, long lagMs, long version, Map<String, Rate> rates) {}

    private final Supplier<ReplicaReads.Status> status;
    private final Map<ServeMetrics.Endpoint, Recorder> recorders = new EnumMap<>(ServeMetrics.Endpoint.class);
    private final Map<ServeMetrics.Endpoint, Histogram> recycled = new EnumMap<>(ServeMetrics.Endpoint.class);
    private final ArrayDeque<Point> points = new ArrayDeque<>(SAMPLES);
    private final ScheduledExecutorService timer;
    private long lastNanos = System.nanoTime();

    StatusHistory(Supplier<ReplicaReads.Status> status, long periodMillis) {
        this.status = status;
        for (ServeMetrics.Endpoint e : READS) {
            recorders.put(e, new Recorder(3));
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "replica-status-history");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(this::sampleQuietly, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    /** Records one answered request (wait-free); endpoints other than reads are not kept. */
    void record(ServeMetrics.Endpoint e, long nanos) {
        Recorder r = recorders.get(e);
        if (r != null) {
            r.recordValue(Math.max(0, nanos));
        }
    }

    private void sampleQuietly() {
        try {
            sample();
        } catch (RuntimeException e) {
            // a replica closing under the timer: no point this second
        }
    }

    /** Takes one sample now (the timer does this every period). */
    synchronized void sample() {
        long now = System.nanoTime();
        double seconds = Math.max(1e-3, (now - lastNanos) / 1e9);
        lastNanos = now;
        Map<String, Rate> rates = new java.util.LinkedHashMap<>();
        for (ServeMetrics.Endpoint e : READS) {
            Histogram h = recorders.get(e).getIntervalHistogram(recycled.get(e));
            recycled.put(e, h);
            long n = h.getTotalCount();
            rates.put(e.label, new Rate(n / seconds, n == 0 ? 0 : h.getValueAtPercentile(50) / 1e6,
                    n == 0 ? 0 : h.getValueAtPercentile(99) / 1e6, n == 0 ? 0 : h.getMaxValue() / 1e6));
        }
        ReplicaReads.Status s = status.get();
        if (points.size() == SAMPLES) {
            points.removeFirst();
        }
        points.addLast(new Point(System.currentTimeMillis(), s.lagMs(), s.version(), rates));
    }

    /** The samples, oldest first. */
    synchronized List<Point> points() {
        return new ArrayList<>(points);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
