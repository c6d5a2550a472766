/**
 * Epochs of a dataset over a pool of famfs devices (see {@code docs/epochs.md}): the
 * on-media records of an epoch's control file ({@link io.famfsrocks.rocks.epoch.EpochHeader},
 * {@link io.famfsrocks.rocks.epoch.SealRecord}, {@link io.famfsrocks.rocks.epoch.AckSlot}),
 * the file itself, the replica's in-place slot writer, the check a replica runs after
 * reading an old epoch, the primary's lease judgement, and the reading of a whole pool.
 * Nothing else reads or writes these bytes.
 *
 * <p>Depends on: {@code io.famfsrocks.famfs.fs}, {@code io.famfsrocks.famfs.pool},
 * {@code io.famfsrocks.famfs.device}, {@code io.famfsrocks.rocks}. Used by the publisher's
 * {@code EpochRotation} (the primary side) and the replica's follower.
 */
package io.famfsrocks.rocks.epoch;
