package io.famfsrocks.rocks.journal;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.FaultPoint;
import io.famfsrocks.famfs.fs.CreateOptions;
import io.famfsrocks.famfs.fs.FamfsFile;
import io.famfsrocks.famfs.fs.MasterVolume;
import io.famfsrocks.rocks.BridgeException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.UUID;

/**
 * The single writer of a dataset's journal chain (master host). Appends a record, flushes
 * its bytes, then publishes the new committed length: a reader never sees a length before
 * the bytes under it. When a record does not fit, creates the next journal, seals the full
 * one, and writes the record there with the whole MANIFEST prefix so that every journal
 * stands alone. Not thread-safe: the publisher calls it from one thread.
 */
public final class JournalWriter {
    /** Supplies MANIFEST bytes [from, to) of the pinned MANIFEST. */
    @FunctionalInterface
    public interface ManifestSource {
        byte[] read(long from, long to) throws IOException;
    }

    /** Crash points (docs/reliability.md, "Fault points"): a record's bytes written and flushed, its length not yet published. */
    public static final FaultPoint RECORD_WRITTEN = FaultPoint.named("journal.record-written");
    /** The committed length published; the writer has not returned (the publisher has not reported the version). */
    public static final FaultPoint COMMITTED = FaultPoint.named("journal.committed");
    /** A new journal's header written and flushed, its magic not yet. */
    public static final FaultPoint HEADER_BEFORE_MAGIC = FaultPoint.named("journal.header-before-magic");
    /** Chaining: the next journal created with its header, the full one not yet sealed. */
    public static final FaultPoint BEFORE_SEAL = FaultPoint.named("journal.before-seal");
    /** Chaining: the full journal sealed, the next one holds no record yet. */
    public static final FaultPoint SEALED = FaultPoint.named("journal.sealed");

    private static final int SEAL_SIZE = JournalCodec.encodedSize(new JournalRecord.Seal(0));

    private final MasterVolume volume;
    private final String dataset;
    private final long journalSize;
    private final JournalHeader first;
    private JournalFile current;
    private int index;
    private long committed;
    private JournalRecord.Version last;
    /** Manifest number and end written in the current journal; -1 when it has no version yet. */
    private long manifestNumber = -1;
    private long manifestEnd;

    private JournalWriter(MasterVolume volume, String dataset, long journalSize, JournalHeader first) {
        this.volume = volume;
        this.dataset = dataset;
        this.journalSize = journalSize;
        this.first = first;
    }

    /**
     * Opens the dataset's chain for appending, creating the dataset (directories and
     * journal.0000) when it does not exist. Refuses a dataset another DB published.
     */
    public static JournalWriter open(MasterVolume volume, String dataset, long journalSize, String dbIdentity) {
        DatasetPaths.check(dataset);
        if (journalSize < JournalHeader.DATA_START + 64 * 1024 || journalSize % 4096 != 0) {
            throw new BridgeException(ErrorKind.INVALID_ARGUMENT, "journal size " + journalSize
                    + " must be a multiple of 4096 and at least 68 KiB");
        }
        volume.refresh();
        int newest = JournalReader.newestJournal(volume, dataset);
        return newest < 0 ? create(volume, dataset, journalSize, dbIdentity)
                : resume(volume, dataset, newest, dbIdentity);
    }

    /** A new dataset: its directories and journal.0000. */
    private static JournalWriter create(MasterVolume volume, String dataset, long journalSize, String dbIdentity) {
        volume.mkdirs(DatasetPaths.sstDir(dataset), CreateOptions.dir());
        volume.mkdirs(DatasetPaths.optionsDir(dataset), CreateOptions.dir());
        JournalHeader h = new JournalHeader(0, UUID.randomUUID(), dbIdentity, journalSize);
        JournalWriter w = new JournalWriter(volume, dataset, journalSize, h);
        w.createJournal(h);
        return w;
    }

    /**
     * The dataset's chain in the volume of a new epoch (rotation, issue 12): journal.0000 with
     * the dataset id and DB identity of {@code previous} (the old epoch's writer), and version
     * numbers continuing after its last version, so a replica that switches epochs never sees
     * the version go back. The first record appended carries the whole MANIFEST, as the first
     * record of every journal does. Refuses a volume that already holds a journal of the dataset.
     */
    public static JournalWriter nextEpoch(MasterVolume volume, String dataset, long journalSize, JournalWriter previous) {
        DatasetPaths.check(dataset);
        volume.refresh();
        if (JournalReader.newestJournal(volume, dataset) >= 0) {
            throw new BridgeException(ErrorKind.EXISTS, "the new epoch's volume already holds a journal of " + dataset);
        }
        volume.mkdirs(DatasetPaths.sstDir(dataset), CreateOptions.dir());
        volume.mkdirs(DatasetPaths.optionsDir(dataset), CreateOptions.dir());
        JournalHeader h = new JournalHeader(0, previous.datasetId(), previous.first.dbIdentity(), journalSize);
        JournalWriter w = new JournalWriter(volume, dataset, journalSize, h);
        w.createJournal(h);
        w.last = previous.last;
        return w;
    }

    /**
     * An existing dataset: appends to journal {@code newest} after its last record (writing
     * its header first if we stopped before), knowing the last version published.
     */
    private static JournalWriter resume(MasterVolume volume, String dataset, int newest, String dbIdentity) {
        JournalFile newestFile = JournalFile.writing(volume, DatasetPaths.journal(dataset, newest));
        if (newestFile.uninitialised()) {
            // We stopped between creating the file and writing its header: finish the job.
            JournalHeader h = newest == 0 ? new JournalHeader(0, UUID.randomUUID(), dbIdentity, newestFile.size())
                    : new JournalReader(volume, dataset).startAt(newest - 1).header();
            h = new JournalHeader(newest, h.datasetId(), h.dbIdentity(), newestFile.size());
            writeHeader(newestFile, h);
        }
        JournalReader r = new JournalReader(volume, dataset).startAt(newest);
        JournalHeader h = r.header();
        if (!h.dbIdentity().equals(dbIdentity)) {
            throw new BridgeException(ErrorKind.INVALID_ARGUMENT, "dataset " + dataset + " was published by the DB with identity "
                    + h.dbIdentity() + ", not this one (" + dbIdentity + "); use another dataset name");
        }
        JournalWriter w = new JournalWriter(volume, dataset, h.fileSize(), h);
        w.current = JournalFile.writing(volume, DatasetPaths.journal(dataset, newest));
        w.index = newest;
        for (JournalRecord rec : r.poll()) {
            if (rec instanceof JournalRecord.Version v) {
                w.noteWritten(v);
            }
        }
        w.committed = r.offset();
        if (w.last == null && newest > 0) {
            // The newest journal is empty (the writer stopped right after creating it):
            // the last version is in the previous one.
            JournalReader prev = new JournalReader(volume, dataset).startAt(newest - 1);
            for (JournalRecord rec : prev.poll()) {
                if (rec instanceof JournalRecord.Version v) {
                    w.last = v;
                }
            }
        }
        return w;
    }

    /** The newest version in the chain, or null for a new dataset. */
    public JournalRecord.Version lastVersion() {
        return last;
    }

    public UUID datasetId() {
        return first.datasetId();
    }

    public int journalIndex() {
        return index;
    }

    public long committed() {
        return committed;
    }

    /** Bytes left in the current journal. */
    public long remaining() {
        return current.size() - committed;
    }

    /**
     * Appends a version whose SSTs are all shared already. The MANIFEST bytes are a delta
     * from the previous record when it is the same MANIFEST in the same journal, else the
     * whole prefix.
     */
    public JournalRecord.Version append(long sequence, long createdAtMs, String optionsName, List<SstEntry> ssts,
                                        long manifestNum, long manifestSize, ManifestSource manifest) throws IOException {
        JournalRecord.Version v = build(sequence, createdAtMs, optionsName, ssts, manifestNum, manifestSize, manifest);
        int size = JournalCodec.encodedSize(v);
        if (committed + size + SEAL_SIZE > current.size()) {
            JournalRecord.Version whole = withWholeManifest(v, manifestSize, manifest);
            if (JournalHeader.DATA_START + JournalCodec.encodedSize(whole) + SEAL_SIZE > journalSize) {
                throw new BridgeException(ErrorKind.NO_SPACE, "a version record of "
                        + JournalCodec.encodedSize(whole) + " bytes does not fit in a " + journalSize
                        + "-byte journal; raise the journal size or lower max_manifest_file_size");
            }
            chain();
            v = whole;
        }
        writeRecord(v);
        noteWritten(v);
        return v;
    }

    private JournalRecord.Version build(long sequence, long createdAtMs, String optionsName, List<SstEntry> ssts,
                                        long manifestNum, long manifestSize, ManifestSource manifest) throws IOException {
        long from = manifestNum == manifestNumber ? manifestEnd : 0;
        if (manifestSize < from) {
            throw new BridgeException(ErrorKind.INVALID_ARGUMENT, "MANIFEST-" + manifestNum + " shrank from "
                    + from + " to " + manifestSize + " bytes");
        }
        long version = last == null ? 1 : last.version() + 1;
        long now = System.currentTimeMillis();
        return new JournalRecord.Version(version, sequence, now, Math.min(createdAtMs, now), optionsName, ssts,
                manifestNum, from, manifest.read(from, manifestSize));
    }

    private static JournalRecord.Version withWholeManifest(JournalRecord.Version v, long size, ManifestSource m)
            throws IOException {
        if (v.manifestOffset() == 0) {
            return v;
        }
        return new JournalRecord.Version(v.version(), v.sequence(), v.publishedAtMs(), v.createdAtMs(),
                v.optionsName(), v.ssts(), v.manifestNumber(), 0, m.read(0, size));
    }

    private void writeRecord(JournalRecord r) {
        ByteBuffer bytes = JournalCodec.encode(r);
        int at = (int) committed;
        int n = bytes.remaining();
        current.write(at, bytes); // written and flushed before the length that publishes it
        RECORD_WRITTEN.hit();
        committed += n;
        current.publishCommitted(committed);
        COMMITTED.hit();
    }

    private void noteWritten(JournalRecord.Version v) {
        last = v;
        manifestNumber = v.manifestNumber();
        manifestEnd = v.manifestEnd();
    }

    private void chain() {
        JournalHeader h = new JournalHeader(index + 1, first.datasetId(), first.dbIdentity(), journalSize);
        JournalFile old = current;
        long oldCommitted = committed;
        createJournal(h);
        JournalFile next = current;
        current = old;
        committed = oldCommitted;
        BEFORE_SEAL.hit();
        writeRecord(new JournalRecord.Seal(h.index()));
        SEALED.hit();
        current = next;
        committed = JournalHeader.DATA_START;
        manifestNumber = -1;
    }

    /**
     * Everything but the magic first (readers treat a file without magic as not ready), then
     * the magic with release semantics: a reader that sees it sees a whole header.
     */
    private static void writeHeader(JournalFile jf, JournalHeader h) {
        ByteBuffer hb = ByteBuffer.allocate(JournalHeader.SIZE).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        h.encodeTo(hb);
        long magic = hb.getLong(0);
        hb.putLong(0, 0);
        hb.putLong(JournalHeader.COMMITTED_OFFSET, JournalHeader.DATA_START);
        jf.write(0, hb); // written and flushed before the magic that publishes it
        HEADER_BEFORE_MAGIC.hit();
        jf.publishMagic(magic);
    }

    private void createJournal(JournalHeader h) {
        String path = DatasetPaths.journal(dataset, h.index());
        // 0444: no CLI verb or mount may rewrite a dataset file; the publisher writes through the API
        FamfsFile f = volume.create(path, journalSize, CreateOptions.file().withMode(0444));
        if (!f.isContiguous()) {
            throw new BridgeException(ErrorKind.NO_SPACE, "no contiguous run of " + journalSize
                    + " bytes for journal " + path);
        }
        JournalFile jf = JournalFile.writing(volume, path);
        writeHeader(jf, h);
        current = jf;
        index = h.index();
        committed = JournalHeader.DATA_START;
        manifestNumber = -1;
    }
}
