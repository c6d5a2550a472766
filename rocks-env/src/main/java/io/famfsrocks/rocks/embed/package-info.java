/**
 * The embedding API: the two handles a Java service holds. {@link
 * io.famfsrocks.rocks.embed.PrimaryDb} opens a RocksDB instance with famfs publishing
 * attached and closes both in the one safe order (publisher, then DB, then the volume);
 * {@link io.famfsrocks.rocks.embed.ReplicaDb} opens a published dataset on a device, mounts
 * it through a child mount server, and follows the primary. Both are built RocksDB-style
 * (options in, {@code open()}, AutoCloseable with an idempotent close); docs/java-api.md
 * shows them whole. This is glue over {@code publish} and {@code replica}: no behaviour of
 * its own beyond ownership and order.
 *
 * <p>Depends on: {@code io.famfsrocks.rocks.publish}, {@code io.famfsrocks.rocks.replica},
 * {@code io.famfsrocks.rocks} (errors), {@code io.famfsrocks.famfs.fs} (opening volumes),
 * {@code io.famfsrocks.famfs.fuse} (the child mount server), rocksdbjni. Nothing in
 * rocks-env depends on it.
 */
package io.famfsrocks.rocks.embed;
