package io.famfsrocks.famfs.fs;

import io.famfsrocks.famfs.format.Superblock;

import java.util.UUID;

/**
 * What the superblock says about a volume, for upper layers to show ({@code mkfs},
 * {@code fsck}, {@code df}) without importing {@code format}. Immutable.
 *
 * @param systemUuid the master host's system UUID
 * @param devUuid the superblock's device UUID (random at mkfs, as in the reference)
 */
public record VolumeInfo(long version, UUID fsUuid, UUID systemUuid, long deviceSize, String deviceName,
                         long logOffset, long logLen, long allocUnit, UUID devUuid) {
    static VolumeInfo of(Superblock sb) {
        return sb == null ? null : new VolumeInfo(sb.version(), sb.fsUuid(), sb.systemUuid(), sb.deviceSize(),
                sb.deviceName(), sb.logOffset(), sb.logLen(), sb.allocUnit(), sb.devUuid());
    }
}
