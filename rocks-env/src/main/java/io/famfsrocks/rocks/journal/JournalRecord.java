package io.famfsrocks.rocks.journal;

import java.util.List;

/** A journal record: a published version, or the seal that chains to the next journal. Immutable. */
public sealed interface JournalRecord permits JournalRecord.Version, JournalRecord.Seal {
    int TYPE_VERSION = 1;
    int TYPE_SEAL = 2;

    /**
     * One consistent version of the primary.
     *
     * @param version        1, 2, 3, ... across the whole chain
     * @param sequence       the largest sequence number in the published SSTs (what a replica reflects)
     * @param publishedAtMs  wall clock of the primary when the record was committed
     * @param createdAtMs    wall clock when the oldest newly shared SST of this version was created
     *                       (equal to publishedAtMs when none is new)
     * @param optionsName    the OPTIONS file under {@code <dataset>/opt/} replicas open with
     * @param ssts           every live SST, each already copied, flushed and checksummed in famfs
     * @param manifestNumber the MANIFEST this version lives in (CURRENT names it)
     * @param manifestOffset where {@code manifestBytes} start in that MANIFEST: 0 for the whole
     *                       prefix (first record of a journal, or after a MANIFEST rollover),
     *                       else the end of the previous record's bytes
     * @param manifestBytes  MANIFEST bytes [manifestOffset, manifestOffset + length)
     */
    record Version(long version, long sequence, long publishedAtMs, long createdAtMs, String optionsName,
                   List<SstEntry> ssts, long manifestNumber, long manifestOffset, byte[] manifestBytes)
            implements JournalRecord {
        public Version {
            ssts = List.copyOf(ssts);
        }

        public long manifestEnd() {
            return manifestOffset + manifestBytes.length;
        }
    }

    /** The last record of a full journal: readers continue in journal {@code next}. */
    record Seal(int next) implements JournalRecord {}
}
