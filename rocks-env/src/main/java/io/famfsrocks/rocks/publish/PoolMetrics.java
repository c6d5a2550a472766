package io.famfsrocks.rocks.publish;

/**
 * A publisher's epochs over a pool of devices (docs/epochs.md). Immutable.
 *
 * @param epoch          the active epoch (the publisher writes there)
 * @param rotations      rotations completed by this publisher (sealed)
 * @param bytesRepacked  bytes copied into new epochs by those rotations (SSTs, OPTIONS, MANIFEST)
 * @param lastRepackBytes bytes the last rotation copied
 * @param lastLiveBytes  the live SST bytes of the version the last rotation repacked
 * @param lastRotationMs the last rotation, from its start to its seal
 * @param lastDrainMs    the last drain, from the seal to the drained mark (the old device reusable)
 * @param drainingEpoch  the sealed epoch replicas may still read, or 0
 * @param devices        devices in the pool
 * @param activeDevice   this host's path of the active epoch's device
 * @param capacity       bytes of all the pool's devices
 * @param usedBytes      allocated famfs data bytes of the epochs in use now (active and draining)
 * @param usedPeakBytes  the most {@code usedBytes} seen by this publisher (sampled at each
 *                       publication, at each rotation and by every metrics read)
 */
public record PoolMetrics(long epoch, long rotations, long bytesRepacked, long lastRepackBytes, long lastLiveBytes,
                          long lastRotationMs, long lastDrainMs, long drainingEpoch, int devices, String activeDevice,
                          long capacity, long usedBytes, long usedPeakBytes) {}
