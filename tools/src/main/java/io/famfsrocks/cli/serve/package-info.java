/**
 * The HTTP face of a serving replica: key lookups, range scans, health and Prometheus
 * metrics on the JDK's own HTTP server (no extra dependency for four small endpoints).
 * Depends only on {@link io.famfsrocks.cli.serve.ReplicaReads} (and the CLI's one JSON
 * escaper, {@link io.famfsrocks.cli.Json}), so it can be tested without RocksDB and adapted
 * to any replica.
 */
package io.famfsrocks.cli.serve;
