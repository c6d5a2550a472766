/**
 * The RocksDB bridge: a primary publishes its SST files and versions into a famfs dataset
 * ({@code publish}), replicas on any host follow them from shared memory ({@code replica}).
 * Both speak the on-media dataset format in {@code journal}, described in
 * {@code docs/dataset-layout.md}.
 *
 * <p>Depends on: famfs-fs ({@code io.famfsrocks.famfs.fs}), rocksdbjni.
 */
package io.famfsrocks.rocks;
