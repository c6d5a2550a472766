/**
 * The volume: namespace, files, roles, mkfs and fsck. {@link io.famfsrocks.famfs.fs.Famfs}
 * opens a device as a {@link io.famfsrocks.famfs.fs.FamfsVolume} (read-only, any host) or
 * a {@link io.famfsrocks.famfs.fs.MasterVolume} (the one host whose system UUID is in the
 * superblock). Roles are types: only a master volume has operations that write.
 *
 * <p>Depends on: {@code log}, {@code alloc}, {@code format}, {@code device}.
 */
package io.famfsrocks.famfs.fs;
