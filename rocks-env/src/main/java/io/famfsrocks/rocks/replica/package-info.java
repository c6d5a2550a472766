/**
 * The replica side: {@link io.famfsrocks.rocks.replica.FamfsReplica} follows a dataset's
 * journal from the device, keeps a private replica directory (CURRENT, MANIFEST, symlinks
 * to the shared SSTs through {@link io.famfsrocks.rocks.replica.SharedFiles}) and serves
 * reads from a RocksDB secondary instance that it verifies after every switch.
 *
 * <p>Depends on: {@code io.famfsrocks.rocks.journal}, {@code io.famfsrocks.rocks} (errors),
 * {@code io.famfsrocks.famfs.fs}, rocksdbjni.
 */
package io.famfsrocks.rocks.replica;
