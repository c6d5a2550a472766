/**
 * The libfuse3 binding of the FUSE mount, through the Java 22+ foreign function and memory
 * API: {@link io.famfsrocks.famfs.fuse.fuse3.LibFuse3} holds the native library, its
 * downcalls and the struct offsets (x86_64 and aarch64 Linux, libfuse 3.12+; every native
 * return code is checked there), and {@link io.famfsrocks.famfs.fuse.fuse3.Fuse3Binding}
 * translates libfuse3's high-level callbacks to {@link io.famfsrocks.famfs.fuse.FamfsFuseOps}
 * and back, as {@code JnrFuseBinding} does for libfuse2: the same semantics behind both.
 *
 * <p>Why not jfuse ({@code org.cryptomator:jfuse} 0.7.3): its {@code Stat} cannot set
 * {@code st_ino}, {@code st_blocks} or {@code st_blksize}, its {@code FileInfo} cannot set
 * {@code keep_cache} (the mount keeps file pages but must drop {@code .meta} pages on open),
 * it binds no {@code link}, {@code mknod} or {@code fallocate} (those would answer ENOSYS
 * instead of the reference's ENOTSUP), and its mount offers no way to wait for the loop's
 * end after an external unmount. Binding the dozen functions used here directly is shorter
 * than working around those.
 *
 * <p>What libfuse3 brings over libfuse2: requests up to 1 MiB (libfuse2: 128 KiB), a
 * multi-threaded loop whose worker threads stay attached to the JVM, and one
 * {@code /dev/fuse} descriptor per worker ({@code clone_fd}).
 *
 * <p>Compiled with {@code --release 22}: the module is built only on a JDK 22 or newer
 * (the parent pom's {@code fuse3} profile) and loaded through {@link java.util.ServiceLoader}
 * ({@link io.famfsrocks.famfs.fuse.FuseBindings}), so the rest of the project keeps building
 * and running on Java 17.
 *
 * <p>Depends on: {@code io.famfsrocks.famfs.fuse} (and the exceptions), the JDK.
 */
package io.famfsrocks.famfs.fuse.fuse3;
