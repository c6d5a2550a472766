/**
 * The memory device: a DAX character device ({@code /dev/daxX.Y}) or a regular file
 * (tmpfs, hugetlbfs, any file system), mapped whole with {@code MAP_SHARED} through
 * jnr-ffi so that devices far beyond 2 GiB work and nothing touches pages it does not
 * need. Every native return code is checked in {@link LibC}'s callers, in one place.
 * {@link MemoryDevice} is the device; {@code DeviceMapping} finds what a path is and maps
 * it, {@code KernelWrites} does the bulk writes into a regular file through the kernel.
 *
 * <p>Depends on: {@code io.famfsrocks.famfs} (exceptions), jnr-ffi, jffi.
 */
package io.famfsrocks.famfs.device;
