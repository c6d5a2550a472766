/**
 * The replica side: {@link io.famfsrocks.rocks.replica.FamfsReplica} follows a dataset's
 * journal from the device, keeps a private replica directory ({@code ReplicaDirectory}:
 * CURRENT, MANIFEST, symlinks to the shared SSTs through {@link
 * io.famfsrocks.rocks.replica.SharedFiles}) and serves reads from a RocksDB secondary
 * ({@code SecondaryInstance}, reference-counted) that it verifies after every switch; what
 * it knows about itself is {@code ReplicaHealth} ({@link io.famfsrocks.rocks.replica.Freshness},
 * {@link io.famfsrocks.rocks.replica.ReplicaStats}). On one volume a second thread reads the
 * dataset's WAL ring into {@code WalOverlay}, the unflushed writes that lookups and scans
 * consult above the version (docs/dataset-layout.md, "WAL ring"). Over a pool of devices it follows the
 * dataset's epochs ({@code EpochFollower}: one {@code EpochVolume} per epoch held, each
 * mounted through {@link io.famfsrocks.rocks.replica.EpochMounts}, a {@code Heartbeat}
 * thread beating in this host's ack slots) and checks every read with the epoch's guard
 * ({@link io.famfsrocks.rocks.replica.EpochStatus}).
 *
 * <p>Depends on: {@code io.famfsrocks.rocks.journal}, {@code io.famfsrocks.rocks.epoch} (control file,
 * slot writer, guard, pool reading), {@code io.famfsrocks.famfs.pool}, {@code io.famfsrocks.rocks} (errors,
 * {@link io.famfsrocks.rocks.RocksHandle}), {@code io.famfsrocks.famfs.fs}, rocksdbjni.
 */
package io.famfsrocks.rocks.replica;
