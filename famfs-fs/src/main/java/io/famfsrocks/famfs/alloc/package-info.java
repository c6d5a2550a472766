/**
 * Free space: there is no free-space map on the media; the bitmap (one bit per allocation
 * unit) is rebuilt from the log. {@link Allocator} hands out extents first fit, or
 * interleaved across buckets as the reference does.
 *
 * <p>Depends on: {@code format} and {@code io.famfsrocks.famfs} (exceptions). Not thread-safe: the volume serialises access.
 */
package io.famfsrocks.famfs.alloc;
