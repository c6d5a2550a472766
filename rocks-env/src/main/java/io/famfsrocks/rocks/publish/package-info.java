/**
 * The primary side: {@link io.famfsrocks.rocks.publish.FamfsPublisher} listens to a
 * RocksDB instance, copies its live SSTs into a famfs dataset on its own thread and
 * appends consistent versions to the dataset's journal. It is a lifecycle shell over parts
 * with one job each: {@code LiveVersion} (the DB's current version, files held open),
 * {@code SstCopier} (copy or verify-and-reuse), {@link io.famfsrocks.rocks.publish.SpaceBudget}
 * (the room a version needs, shared with {@code sst-publish}), {@code PublisherStats},
 * {@code ExitGuard} and, for a dataset over a pool of devices, {@code EpochRotation} (when
 * and how to start a new epoch, and the drain of the sealed one; docs/epochs.md), and
 * {@code WalShipper} (the DB's acknowledged writes into the dataset's WAL ring). A new
 * primary-side capability is a new part driven from {@code FamfsPublisher.publishOnce}.
 *
 * <p>Depends on: {@code io.famfsrocks.rocks.journal}, {@code io.famfsrocks.rocks} (errors,
 * {@link io.famfsrocks.rocks.RocksHandle}), {@code io.famfsrocks.rocks.epoch} (the control
 * file, the pool reading, the drain watch), {@code io.famfsrocks.famfs.fs},
 * {@code io.famfsrocks.famfs.pool}, rocksdbjni.
 */
package io.famfsrocks.rocks.publish;
