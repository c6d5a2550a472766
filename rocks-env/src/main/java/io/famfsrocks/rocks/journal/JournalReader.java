package io.famfsrocks.rocks.journal;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.famfs.fs.Node;
import io.famfsrocks.rocks.BridgeException;

import java.util.ArrayList;
import java.util.List;

/**
 * Follows a dataset's journal chain from the device (any host, read-only). {@link #poll}
 * reads the committed length (one load when nothing is new) and decodes the records added
 * since the last poll, moving to the next journal at a seal. A reader starts at the
 * newest journal, whose first version record carries the whole MANIFEST prefix. Not
 * thread-safe: one thread polls.
 */
public final class JournalReader {
    private final FamfsVolume volume;
    private final String dataset;
    private JournalFile current;
    private JournalHeader header;
    private int index = -1;
    private long offset;

    public JournalReader(FamfsVolume volume, String dataset) {
        this.volume = volume;
        this.dataset = DatasetPaths.check(dataset);
    }

    /** The index of the newest journal that exists, or -1 when the dataset has none yet. */
    public static int newestJournal(FamfsVolume volume, String dataset) {
        int i = -1;
        while (volume.lookup(DatasetPaths.journal(dataset, i + 1)) instanceof Node.File) {
            i++;
        }
        return i;
    }

    /**
     * For a reader that has found nothing to read for long: throws CORRUPT_MEDIA when the
     * newest journal starts with neither the magic nor zeros. (A writer publishes the magic
     * last, so other bytes there are a transient state only while it writes the header.)
     */
    public void requireReadableHeader() {
        if (current != null) {
            return;
        }
        volume.refresh();
        int newest = newestJournal(volume, dataset);
        if (newest < 0) {
            return;
        }
        JournalFile f = JournalFile.reading(volume, DatasetPaths.journal(dataset, newest));
        long magic = f.rawMagic();
        if (magic != 0 && magic != JournalHeader.JOURNAL_MAGIC) {
            throw JournalHeader.corrupt(f.path, 0, "magic " + Long.toHexString(JournalHeader.JOURNAL_MAGIC),
                    Long.toHexString(magic));
        }
    }

    /** The header of the journal being read, or null before the first one is found. */
    public JournalHeader header() {
        return header;
    }

    public int journalIndex() {
        return index;
    }

    /** Starts at journal {@code i} (the writer uses this to read back the newest ones). */
    public JournalReader startAt(int i) {
        if (!open(i)) {
            throw new BridgeException(ErrorKind.NOT_FOUND, DatasetPaths.journal(dataset, i) + " has no header yet");
        }
        return this;
    }

    /** Records committed since the last call; empty when nothing is new. */
    public List<JournalRecord> poll() {
        List<JournalRecord> out = new ArrayList<>();
        if (current == null && !openNewest()) {
            return out;
        }
        while (true) {
            boolean sealed = readCommitted(out);
            // A writer that crashed between creating the next journal and sealing this one
            // leaves it unsealed; the next journal's existence is then the seal.
            if (!sealed && !nextJournalStandsForSeal()) {
                return out;
            }
            requireNextJournal();
            if (JournalFile.reading(volume, DatasetPaths.journal(dataset, index + 1)).uninitialised()) {
                return out; // the next journal's header is on its way; its seal was read, so remember it
            }
            out.add(new JournalRecord.Seal(index + 1));
            open(index + 1);
        }
    }

    /** Opens the newest journal with a header; false when there is none yet. */
    private boolean openNewest() {
        volume.refresh();
        int newest = newestJournal(volume, dataset);
        if (newest < 0) {
            return false;
        }
        // A newest journal without a header yet, or without a record (a writer that died between
        // creating it and writing the version that made it, before or after sealing the full
        // one): the newest version is in the one before, so start there.
        boolean opened = open(newest);
        if (newest > 0 && (!opened || current.committed() == JournalHeader.DATA_START)) {
            opened = open(newest - 1);
        }
        return opened;
    }

    /**
     * Decodes the current journal's records from {@link #offset} up to its committed length
     * into {@code out}; true when a seal (to the next journal, else CORRUPT_MEDIA) ended them.
     */
    private boolean readCommitted(List<JournalRecord> out) {
        long committed = current.committed();
        if (committed < JournalHeader.DATA_START || committed > current.size()) {
            throw JournalHeader.corrupt(current.path, JournalHeader.COMMITTED_OFFSET,
                    "committed length in [" + JournalHeader.DATA_START + ", " + current.size() + "]",
                    Long.toString(committed));
        }
        if (offset < committed) {
            current.invalidate(offset, committed - offset);
        }
        while (offset < committed) {
            JournalRecord r = JournalCodec.decode(current.view, (int) offset, committed, current.path);
            offset += JournalCodec.encodedSize(r);
            if (r instanceof JournalRecord.Seal s) {
                if (s.next() != index + 1) {
                    throw JournalHeader.corrupt(current.path, offset, "seal to journal " + (index + 1),
                            "seal to " + s.next());
                }
                return true;
            }
            out.add(r);
        }
        return false;
    }

    /** For an unsealed journal read to its end: does the next journal exist (and nothing more was committed)? */
    private boolean nextJournalStandsForSeal() {
        volume.refresh();
        return volume.lookup(DatasetPaths.journal(dataset, index + 1)) instanceof Node.File
                && current.committed() == offset;
    }

    /** After a seal: the next journal must exist (looked up again after a refresh), else CORRUPT_MEDIA. */
    private void requireNextJournal() {
        if (!(volume.lookup(DatasetPaths.journal(dataset, index + 1)) instanceof Node.File)) {
            volume.refresh();
            if (!(volume.lookup(DatasetPaths.journal(dataset, index + 1)) instanceof Node.File)) {
                throw new BridgeException(ErrorKind.CORRUPT_MEDIA, current.path + " is sealed but "
                        + DatasetPaths.journal(dataset, index + 1) + " does not exist");
            }
        }
    }

    /** Byte offset of the next record in the current journal. */
    public long offset() {
        return offset;
    }

    /** Opens journal {@code i}; false (and nothing changes) while its header is not written yet. */
    private boolean open(int i) {
        JournalFile f = JournalFile.reading(volume, DatasetPaths.journal(dataset, i));
        if (f.uninitialised()) {
            return false;
        }
        JournalHeader h = f.header();
        if (h.index() != i) {
            throw JournalHeader.corrupt(f.path, 12, "journal index " + i, Integer.toString(h.index()));
        }
        if (header != null && !h.datasetId().equals(header.datasetId())) {
            throw JournalHeader.corrupt(f.path, 16, "dataset id " + header.datasetId(), h.datasetId().toString());
        }
        current = f;
        header = h;
        index = i;
        offset = JournalHeader.DATA_START;
        return true;
    }
}
