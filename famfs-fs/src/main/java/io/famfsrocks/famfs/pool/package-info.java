/**
 * A pool of memory devices, each blank or holding one plain famfs volume recognised by its
 * famfs UUID: scanning a device list, refusing one that cannot be a pool, and formatting a
 * free device into a new volume with a new UUID. What the volumes mean (which one holds a
 * dataset's active epoch) is decided above, in rocks-env; see {@code docs/epochs.md}.
 *
 * <p>Depends on: {@code fs}, {@code format}, {@code device}.
 */
package io.famfsrocks.famfs.pool;
