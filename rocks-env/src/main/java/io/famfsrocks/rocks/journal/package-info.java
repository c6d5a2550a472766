/**
 * The dataset's on-media format: the journal file header, its records and the names of
 * everything under a dataset directory. Nothing else in the bridge reads or writes journal
 * bytes. {@link io.famfsrocks.rocks.journal.JournalWriter} (master, single writer) and
 * {@link io.famfsrocks.rocks.journal.JournalReader} (any host) are the only users of the
 * codecs. See {@code docs/dataset-layout.md}.
 *
 * <p>Depends on: {@code io.famfsrocks.famfs.fs}, {@code io.famfsrocks.rocks}.
 */
package io.famfsrocks.rocks.journal;
