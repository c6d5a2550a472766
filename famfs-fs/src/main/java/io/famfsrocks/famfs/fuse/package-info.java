/**
 * A FUSE mount of a famfs volume, so that any program (RocksDB above all) reads and maps
 * famfs files by path, on any kernel with FUSE.
 *
 * <p>Shape: {@link io.famfsrocks.famfs.fuse.FamfsFuseOps} holds all the file-system
 * logic behind a small binding-neutral API (plain Java types in, errno-style ints out);
 * every operation goes through its one guard, which maps any {@code Throwable} to an
 * errno with {@link io.famfsrocks.famfs.fuse.Errno#of}, logs it once and never lets it
 * reach native code. {@link io.famfsrocks.famfs.fuse.JnrFuseBinding} only translates
 * jnr-fuse (libfuse2) structs to and from those types; the libfuse3 binding (module
 * famfs-fuse3, package {@code io.famfsrocks.famfs.fuse.fuse3}, Java 22+ foreign function
 * API) does the same for libfuse3 and is found at run time through {@link
 * io.famfsrocks.famfs.fuse.FuseBindingProvider}; {@link io.famfsrocks.famfs.fuse.FuseBindings}
 * picks one per mount ({@code auto}: fuse3 where the JVM and libfuse3 allow it). {@link
 * io.famfsrocks.famfs.fuse.FamfsMount} owns the mount's life (stale mount points,
 * serving thread, read-ahead, unmount) and {@link io.famfsrocks.famfs.fuse.MountMain}
 * is the foreground entry point.
 *
 * <p>Caching contract: famfs files never change size and are written once before they
 * are published, so attributes, names and data are cached by the kernel for the life of
 * the mount; a name that was missing is never cached as missing, so new files appear at
 * once. Data a reader has already cached is not re-read if the master rewrites it later
 * (open with {@code Options.keepCache(false)} to drop the page cache on every open). A
 * reader that stops using a file drops its pages with {@link
 * io.famfsrocks.famfs.fuse.PageCache#drop} (the replica does, for SSTs no version names).
 *
 * <p>Depends on: {@code io.famfsrocks.famfs.fs} (and the exceptions), jnr-fuse, jnr-ffi.
 */
package io.famfsrocks.famfs.fuse;
