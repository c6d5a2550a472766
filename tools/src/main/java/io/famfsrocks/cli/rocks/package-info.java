/**
 * The RocksDB verbs of {@code famfs-rocks}: {@code sst-publish} (a DB directory or external
 * SSTs into a famfs dataset), {@code replica get|scan|stat|serve} (read a dataset on this
 * host, through a FUSE mount), and {@code demo} (a primary and two replica hosts on one
 * device, writing {@code WorkloadModel} and checking each replica with {@code ViewChecker}).
 * Glue only: publishing and following live in {@code io.famfsrocks.rocks}, the HTTP face in
 * {@code io.famfsrocks.cli.serve}, mounts in {@code io.famfsrocks.famfs.fuse}.
 * May depend on {@code io.famfsrocks.cli}, {@code io.famfsrocks.cli.serve}, rocks-env and famfs-fs.
 */
package io.famfsrocks.cli.rocks;
