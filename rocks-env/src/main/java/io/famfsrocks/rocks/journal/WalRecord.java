package io.famfsrocks.rocks.journal;

/**
 * What a replica reads from a dataset's WAL ring ({@link WalRingReader}). Immutable.
 */
public sealed interface WalRecord permits WalRecord.Batch, WalRecord.Lost {
    /**
     * One WriteBatch of the primary as {@code getUpdatesSince} gave it.
     *
     * @param sequence    the sequence number of its first operation
     * @param count       how many sequence numbers it takes (RocksDB's batch count)
     * @param writtenAtMs the primary's wall clock when the batch was shipped
     * @param data        the WriteBatch's bytes ({@code WriteBatch.data()})
     */
    record Batch(long sequence, int count, long writtenAtMs, byte[] data) implements WalRecord {
        /** The sequence number after this batch's last operation. */
        public long end() {
            return sequence + count;
        }
    }

    /**
     * Writes this reader will never see: the writer could not ship them (a batch too large
     * for a segment, WAL files gone), or the reader fell behind the ring or met a record that
     * failed its CRC and skipped ahead.
     *
     * @param fromSequence the first missing sequence number, or -1 when the reader cannot tell
     * @param toSequence   the first sequence number after the missing ones, or -1 when unknown
     * @param reason       one line for the replica's status
     */
    record Lost(long fromSequence, long toSequence, String reason) implements WalRecord {}
}
