/**
 * The replica side: {@link io.famfsrocks.rocks.replica.FamfsReplica} follows a dataset's
 * journal from the device, keeps a private replica directory ({@code ReplicaDirectory}:
 * CURRENT, MANIFEST, symlinks to the shared SSTs through {@link
 * io.famfsrocks.rocks.replica.SharedFiles}) and serves reads from a RocksDB secondary
 * ({@code SecondaryInstance}, reference-counted) that it verifies after every switch; what
 * it knows about itself is {@code ReplicaHealth} ({@link io.famfsrocks.rocks.replica.Freshness},
 * {@link io.famfsrocks.rocks.replica.ReplicaStats}).
 *
 * <p>Depends on: {@code io.famfsrocks.rocks.journal}, {@code io.famfsrocks.rocks} (errors,
 * {@link io.famfsrocks.rocks.RocksHandle}), {@code io.famfsrocks.famfs.fs}, rocksdbjni.
 */
package io.famfsrocks.rocks.replica;
