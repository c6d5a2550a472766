/**
 * The primary side: {@link io.famfsrocks.rocks.publish.FamfsPublisher} listens to a
 * RocksDB instance, copies its live SSTs into a famfs dataset on its own thread and
 * appends consistent versions to the dataset's journal.
 *
 * <p>Depends on: {@code io.famfsrocks.rocks.journal}, {@code io.famfsrocks.rocks} (errors),
 * {@code io.famfsrocks.famfs.fs}, rocksdbjni.
 */
package io.famfsrocks.rocks.publish;
