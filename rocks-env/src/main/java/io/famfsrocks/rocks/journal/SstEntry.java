package io.famfsrocks.rocks.journal;

/**
 * One live SST of a published version: the primary's file number, its exact size, and the
 * CRC32C of the famfs copy's bytes. Immutable.
 */
public record SstEntry(long fileNumber, long size, int crc32c) {
    public static final int SIZE = 20;
}
