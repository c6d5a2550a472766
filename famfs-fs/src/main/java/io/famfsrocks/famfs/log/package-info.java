/**
 * The metadata log: append (master only, one entry then the counters) and replay
 * (everyone, full or incremental from a known index). A client learns of new entries by
 * reading the {@code next_index} counter, never by rescanning.
 *
 * <p>Depends on: {@code format}, {@code device}.
 */
package io.famfsrocks.famfs.log;
