/**
 * The volume: namespace, files, roles, mkfs and fsck. {@link io.famfsrocks.famfs.fs.Famfs}
 * opens a device as a {@link io.famfsrocks.famfs.fs.FamfsVolume} (read-only, any host) or
 * a {@link io.famfsrocks.famfs.fs.MasterVolume} (the one host whose system UUID is in the
 * superblock). Roles are types: only a master volume has operations that write.
 *
 * <p>This is the narrow API of the engine for everything above it (fuse, rocks-env, tools):
 * volumes, nodes, files, {@link io.famfsrocks.famfs.fs.VolumeUsage}, {@link
 * io.famfsrocks.famfs.fs.VolumeInfo}, {@link io.famfsrocks.famfs.fs.FileMap}, {@link
 * io.famfsrocks.famfs.fs.LogRecord}, {@link io.famfsrocks.famfs.fs.FormatInfo}, the
 * one copy-in ({@link io.famfsrocks.famfs.fs.MasterVolume#copyIn}) and the regions a
 * polled structure is written through ({@link io.famfsrocks.famfs.fs.WritableRegion}).
 * Nothing above imports {@code format}, {@code device}, {@code log} or {@code alloc}.
 *
 * <p>Depends on: {@code log}, {@code alloc}, {@code format}, {@code device}.
 */
package io.famfsrocks.famfs.fs;
