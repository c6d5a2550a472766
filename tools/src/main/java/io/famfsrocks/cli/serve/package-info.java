/**
 * The HTTP face of a serving replica: key lookups (one or a batch), paginated range scans,
 * liveness and readiness, and Prometheus metrics, on Jetty 12 ({@link
 * io.famfsrocks.cli.serve.ReplicaHttpServer}). JSON is written and read by Jackson, metrics
 * kept and exposed by the Prometheus Java client. Depends only on {@link
 * io.famfsrocks.cli.serve.ReplicaReads} (and the CLI's key encodings, {@link
 * io.famfsrocks.cli.KeyText}), so it can be tested without RocksDB and adapted to any replica.
 */
package io.famfsrocks.cli.serve;
