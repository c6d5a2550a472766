/**
 * Process entry points for end-to-end tests and the benchmark ({@code PrimaryMain},
 * {@code ReplicaMain}) and the deterministic workload they share. Glue only.
 *
 * <p>Depends on: {@code io.famfsrocks.rocks.publish}, {@code io.famfsrocks.rocks.replica},
 * {@code io.famfsrocks.famfs.fs} and {@code io.famfsrocks.famfs.fuse} (the replica main mounts).
 */
package io.famfsrocks.rocks.tools;
