package io.famfsrocks.cli.serve;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The server's Prometheus metrics, kept and written by the Prometheus Java client
 * (prometheus-metrics-core, text exposition format 0.0.4): counters end in {@code _total},
 * times are in seconds, {@code famfs_replica_build_info} is 1 with the build's version as a
 * label. The replica's own figures are gauges read from one {@link ReplicaReads.Status}
 * per scrape ({@link #STATUS_GAUGES}). Thread-safe.
 */
final class ServeMetrics {
    /** The endpoints as metric labels (a bounded set: unknown paths count as {@code other}). */
    enum Endpoint {
        GET, BATCH_GET, SCAN, HEALTH, METRICS, STATUS, OTHER;

        final String label = name().toLowerCase(java.util.Locale.ROOT);
    }

    /** One gauge of the replica's status: name, help, value. */
    record StatusGauge(String name, String help, ToDoubleFunction<Scraped> value) {}

    /** What one scrape reads: the status, whether it makes the replica ready, the epoch. */
    record Scraped(ReplicaReads.Status status, boolean ready, ReplicaReads.Epoch epoch) {}

    /** The replica's gauges; add a line here to export another status field. */
    static final List<StatusGauge> STATUS_GAUGES = List.of(
            new StatusGauge("famfs_replica_applied_version", "Published version the replica serves",
                    s -> s.status().version()),
            new StatusGauge("famfs_replica_newest_version", "Newest version seen in the dataset's journal",
                    s -> s.status().newestVersion()),
            new StatusGauge("famfs_replica_sequence", "Primary sequence number the served version reflects",
                    s -> s.status().sequence()),
            new StatusGauge("famfs_replica_published_timestamp_seconds",
                    "When the primary published the served version (Unix time)", s -> s.status().publishedAtMs() / 1e3),
            new StatusGauge("famfs_replica_lag_seconds", "How far the replica is behind the newest published version",
                    s -> s.status().lagMs() / 1e3),
            new StatusGauge("famfs_replica_live_ssts", "SST files in the served version", s -> s.status().ssts()),
            new StatusGauge("famfs_replica_live_sst_bytes", "Bytes of the SST files in the served version",
                    s -> s.status().sstBytes()),
            new StatusGauge("famfs_replica_space_bytes", "famfs data space the dataset lives in",
                    s -> s.status().spaceBytes()),
            new StatusGauge("famfs_replica_free_bytes", "Of that space, bytes not allocated yet",
                    s -> s.status().freeBytes()),
            new StatusGauge("famfs_replica_current", "1 while reads reflect every write the primary acknowledged",
                    s -> s.status().current() ? 1 : 0),
            new StatusGauge("famfs_replica_read_sequence", "Primary sequence number reads reflect (WAL overlay included)",
                    s -> s.status().readSequence()),
            new StatusGauge("famfs_replica_primary_sequence", "Primary's latest sequence number (-1: unknown, no WAL shipped)",
                    s -> s.status().primarySequence()),
            new StatusGauge("famfs_replica_sequences_behind", "Acknowledged writes reads do not reflect yet",
                    s -> s.status().sequencesBehind()),
            new StatusGauge("famfs_replica_ready", "1 when ready to serve (verified, within the lag bound); /health/ready",
                    s -> s.ready() ? 1 : 0),
            new StatusGauge("famfs_replica_epoch", "Epoch of the pool the replica serves (0: a single volume)",
                    s -> s.epoch().epoch()),
            new StatusGauge("famfs_replica_epoch_volume_bytes", "Capacity of the served epoch's famfs volume",
                    s -> s.epoch().volumeBytes()),
            new StatusGauge("famfs_replica_epoch_volume_used_bytes", "famfs space in use on the served epoch's volume",
                    s -> s.epoch().volumeUsedBytes()));

    /** The replica's own counters, read at each scrape like the gauges. */
    static final List<StatusGauge> STATUS_COUNTERS = List.of(
            new StatusGauge("famfs_replica_epoch_rotations_total", "Epoch switches the replica made",
                    s -> s.epoch().rotations()),
            new StatusGauge("famfs_replica_stale_reads_total", "Answers dropped because their epoch's device was reused",
                    s -> s.epoch().staleReads()));

    /** Request time buckets, seconds: 10 us to 5 s. */
    static final double[] DURATION_BOUNDS = {
        0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final Supplier<Scraped> scrape;
    private volatile Scraped scraped;

    private final Counter requests;
    final Counter lookups;
    final Counter lookupHits;
    final Counter scans;
    final Counter scannedKeys;
    final Counter badRequests;
    final Counter errors;
    final Counter busy;
    final Counter minSeqTimeouts;
    private final Map<Endpoint, DistributionDataPoint> durations = new EnumMap<>(Endpoint.class);

    ServeMetrics(String buildVersion, Supplier<Scraped> scrape) {
        this.scrape = scrape;
        requests = Counter.builder().name("famfs_replica_http_requests_total").help("HTTP requests answered")
                .labelNames("endpoint", "code").withoutExemplars().register(registry);
        lookups = counter("famfs_replica_lookups_total", "Keys looked up (one per /get, one per key of /batch_get)");
        lookupHits = counter("famfs_replica_lookup_hits_total", "Keys looked up that had a value");
        scans = counter("famfs_replica_scans_total", "Range scans served (one per page)");
        scannedKeys = counter("famfs_replica_scanned_keys_total", "Keys returned by range scans");
        badRequests = counter("famfs_replica_bad_requests_total", "Requests refused with 4xx");
        errors = counter("famfs_replica_errors_total", "Requests that failed with 5xx (503 busy aside)");
        busy = counter("famfs_replica_busy_total", "Requests answered 503 because their epoch was reused");
        minSeqTimeouts = counter("famfs_replica_min_seq_timeouts_total", "Reads refused with 503: min_seq not reached in time");
        Histogram h = Histogram.builder().name("famfs_replica_http_request_duration_seconds")
                .help("Time from a complete request to its answer, by endpoint").labelNames("endpoint")
                .classicOnly().classicUpperBounds(DURATION_BOUNDS).withoutExemplars().register(registry);
        for (Endpoint e : Endpoint.values()) {
            durations.put(e, h.labelValues(e.label));
        }
        Gauge.builder().name("famfs_replica_build_info").help("Always 1; the labels name the build")
                .labelNames("version").register(registry).labelValues(buildVersion).set(1);
        for (StatusGauge g : STATUS_GAUGES) {
            GaugeWithCallback.builder().name(g.name()).help(g.help())
                    .callback(cb -> cb.call(g.value().applyAsDouble(scraped))).register(registry);
        }
        for (StatusGauge c : STATUS_COUNTERS) {
            CounterWithCallback.builder().name(c.name()).help(c.help())
                    .callback(cb -> cb.call(c.value().applyAsDouble(scraped))).register(registry);
        }
    }

    private Counter counter(String name, String help) {
        return Counter.builder().name(name).help(help).withoutExemplars().register(registry);
    }

    /** Counts one answered request and the time it took. */
    void answered(Endpoint e, int status, long nanos) {
        requests.labelValues(e.label, Integer.toString(status)).inc();
        durations.get(e).observe(nanos / 1e9);
        if (status == 503) {
            return; // not ready, or busy (famfs_replica_busy_total): the moment, not a failure
        }
        if (status >= 500) {
            errors.inc();
        } else if (status >= 400 && status != 404) {
            badRequests.inc(); // an absent key is an answer, not a bad request
        }
    }

    /** The text exposition of every metric, the status read once. */
    synchronized String scrape() {
        scraped = scrape.get();
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        try {
            writer.write(out, registry.scrape(), EscapingScheme.ALLOW_UTF8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    static String contentType() {
        return PrometheusTextFormatWriter.CONTENT_TYPE;
    }
}
