package io.famfsrocks.rocks.epoch;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.FamfsException;
import io.famfsrocks.famfs.fs.CreateOptions;
import io.famfsrocks.famfs.fs.FamfsFile;
import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.famfs.fs.MasterVolume;
import io.famfsrocks.famfs.fs.Node;
import io.famfsrocks.famfs.fs.SharedRegion;
import io.famfsrocks.famfs.fs.WritableRegion;
import io.famfsrocks.famfs.pool.FirstFile;
import io.famfsrocks.famfs.pool.SharedSlot;
import io.famfsrocks.famfs.pool.VolumeId;
import io.famfsrocks.rocks.BridgeException;
import io.famfsrocks.rocks.journal.DatasetPaths;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * An epoch's control file, {@code <dataset>/epoch.ctl}, mapped straight from the device:
 *
 * <pre>
 *      0  EpochHeader (written once at creation; magic stored last)
 *    192  drained mark (one word in its own cache line: DRAINED_MAGIC once every replica
 *         has released the sealed epoch or its lease expired; written once, by the master)
 *    256  SealRecord  (one cache line; written once, at the seal; magic stored last)
 *    320  rotation request (one word in its own cache line: REQUEST_MAGIC once an operator
 *         asked for this epoch to be rotated; stored in place by the {@code rotate} verb)
 *   4096  AckSlot[slotCount], 64 bytes each (slot i written in place by replica host i only)
 * </pre>
 *
 * <p>Always the first file of an epoch volume, at a fixed device offset: the first
 * allocation unit after the log ({@link FirstFile}). Every epoch volume of a pool has
 * the same log length, so a slot sits at the same device offset in every epoch on a
 * device; a replica paused past its lease that stores into its slot of a volume reformatted
 * since can only hit its own slot of the new epoch's control file, which readers ignore
 * because its epoch tag is wrong (see {@code docs/epochs.md}).
 *
 * <p>Ordering, as the journal's committed length, through the same famfs regions
 * ({@link WritableRegion} on the master, {@link SharedRegion} elsewhere): bytes first,
 * written and flushed, then the word that publishes them stored with release semantics and
 * flushed; readers load that word with acquire semantics (after the coherence invalidate)
 * before the bytes it covers.
 * Thread-safe for one writer (the master) and many readers.
 */
public final class EpochFile {
    public static final String NAME = "epoch.ctl";
    public static final int DRAINED_OFFSET = 192;
    public static final long DRAINED_MAGIC = 0x3130_4E49_4152_4446L; // "FDRAIN01"
    public static final int SEAL_OFFSET = 256;
    public static final int REQUEST_OFFSET = 320;
    public static final long REQUEST_MAGIC = 0x3145_5441_544F_5246L; // "FROTATE1"
    public static final int SLOTS_OFFSET = 4096;
    public static final int DEFAULT_SLOTS = 64;
    private static final int TORN_RETRIES = 100;

    private final String path;
    private final String where;
    private final FamfsFile file;
    private final SharedRegion region;
    /** The master's write access; null on readers. */
    private final WritableRegion writable;
    private final ByteBuffer view;
    private final int slotCount;

    private EpochFile(FamfsVolume volume, FamfsFile file, int slotCount) {
        this.path = file.path();
        this.where = VolumeId.describe(volume);
        this.file = file;
        this.writable = volume instanceof MasterVolume m ? m.openWritableRegion(file.path()) : null;
        this.region = writable != null ? writable : volume.openRegion(file.path());
        this.view = region.view();
        this.slotCount = slotCount;
    }

    public static String path(String dataset) {
        return DatasetPaths.check(dataset) + "/" + NAME;
    }

    public static long fileSize(int slotCount) {
        return SLOTS_OFFSET + (long) slotCount * AckSlot.SIZE;
    }

    /**
     * Creates the control file of a new epoch in {@code volume} (master), before anything
     * else of the epoch: zeroes it (the memory may still hold a retired epoch's bytes),
     * writes the header without its magic, flushes, then publishes the magic.
     *
     * @throws BridgeException INVALID_ARGUMENT when the header names another volume, or
     *         the fixed place is taken (the volume is not a fresh one)
     */
    public static EpochFile create(MasterVolume volume, EpochHeader header) {
        if (!header.volumeUuid().equals(VolumeId.of(volume))) {
            throw new BridgeException(ErrorKind.INVALID_ARGUMENT, "epoch header names volume " + header.volumeUuid()
                    + " but the device is " + VolumeId.describe(volume));
        }
        String p = path(header.dataset());
        long size = fileSize(header.slotCount());
        long at = FirstFile.offset(volume);
        volume.mkdirs(header.dataset(), CreateOptions.dir());
        FamfsFile f;
        try {
            f = FirstFile.create(volume, p, size, CreateOptions.file());
        } catch (FamfsException e) {
            throw new BridgeException(ErrorKind.INVALID_ARGUMENT, "cannot create " + p + " at device offset 0x"
                    + Long.toHexString(at) + " of " + VolumeId.describe(volume) + ": an epoch's control file must be the "
                    + "first file of a fresh volume (" + e.getMessage() + ")", e);
        }
        EpochFile ef = new EpochFile(volume, f, header.slotCount());
        ByteBuffer bytes = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
        header.encodeTo(bytes);
        bytes.putLong(0, 0); // the magic goes last
        ef.writable.write(0, bytes);
        ef.writable.putLongRelease(0, EpochHeader.EPOCH_MAGIC);
        return ef;
    }

    /**
     * The control file of {@code dataset} in {@code volume}, or null when the volume has
     * none. Refuses one that is not at the fixed place (it is not ours) or too small. A file
     * whose header is not published yet is returned with {@link #ready()} false.
     */
    public static EpochFile open(FamfsVolume volume, String dataset) {
        String p = path(dataset);
        Node n = volume.lookup(p);
        if (n == null) {
            return null;
        }
        FamfsFile f = volume.openFile(p);
        long at = FirstFile.offset(volume);
        if (f.size() < SLOTS_OFFSET || !FirstFile.isFirst(volume, f)) {
            throw new BridgeException(ErrorKind.CORRUPT_MEDIA, String.format("%s in %s is not an epoch control file: "
                    + "%d bytes at device offset 0x%x, expected at least %d bytes at 0x%x", p, VolumeId.describe(volume),
                    f.size(), f.deviceOffset(0), SLOTS_OFFSET, at));
        }
        EpochFile ef = new EpochFile(volume, f, 1);
        if (!ef.ready()) {
            return ef; // its creator has not published the header (or stopped before): ready() is false
        }
        EpochHeader h = ef.header();
        if (f.size() < fileSize(h.slotCount())) {
            throw new BridgeException(ErrorKind.CORRUPT_MEDIA, p + " has " + f.size() + " bytes, too few for "
                    + h.slotCount() + " slots");
        }
        return new EpochFile(volume, f, h.slotCount());
    }

    public String path() {
        return path;
    }

    public int slotCount() {
        return slotCount;
    }

    /** False until the creator has published the header (a crash in between leaves it so). */
    public boolean ready() {
        return region.getLongAcquire(0) == EpochHeader.EPOCH_MAGIC;
    }

    public EpochHeader header() {
        region.invalidate(0, EpochHeader.SIZE);
        if (region.getLongAcquire(0) == 0) {
            throw new BridgeException(ErrorKind.CORRUPT_MEDIA, path + " in " + where
                    + " has no header yet: its creator stopped before publishing it");
        }
        return EpochHeader.decode(view.duplicate().position(0).limit(EpochHeader.SIZE).slice(), path);
    }

    /** The seal, or null while the epoch is not sealed. */
    public SealRecord seal() {
        region.invalidate(SEAL_OFFSET, 64);
        long magic = region.getLongAcquire(SEAL_OFFSET);
        if (magic == 0) {
            return null;
        }
        return SealRecord.decode(view.duplicate().position(SEAL_OFFSET).limit(SEAL_OFFSET + 64).slice(), path);
    }

    /**
     * Seals the epoch (master only): fields, flush, then the magic with release, flush.
     * Sealing again with the same record does nothing (a restarted primary finishing its
     * rotation); with another record it is refused: a seal is written once.
     */
    public void writeSeal(SealRecord s) {
        SealRecord old = seal();
        if (old != null) {
            if (old.nextEpoch() == s.nextEpoch() && old.nextVolumeUuid().equals(s.nextVolumeUuid())) {
                return;
            }
            throw new BridgeException(ErrorKind.EXISTS, path + " is already sealed towards epoch " + old.nextEpoch()
                    + " on volume " + old.nextVolumeUuid() + "; not sealing towards " + s.nextVolumeUuid());
        }
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        s.encodeTo(b);
        b.putLong(0, 0);
        master().write(SEAL_OFFSET + 8, b.position(8).limit(64));
        master().putLongRelease(SEAL_OFFSET, SealRecord.SEAL_MAGIC);
    }

    /**
     * Records that no replica holds this sealed epoch any more (master; after {@link
     * DrainWatch} said so): its device may be reformatted, also by a primary restarted
     * later, without waiting a lease again. Refused on an epoch that is not sealed.
     */
    public void markDrained() {
        if (seal() == null) {
            throw new BridgeException(ErrorKind.NOT_PERMITTED, path + " is not sealed: an active epoch never drains");
        }
        master().putLongRelease(DRAINED_OFFSET, DRAINED_MAGIC);
    }

    /** Whether the master recorded that every replica let go of this epoch. */
    public boolean drained() {
        long w = region.getLongAcquire(DRAINED_OFFSET);
        if (w != 0 && w != DRAINED_MAGIC) {
            throw new BridgeException(ErrorKind.CORRUPT_MEDIA, String.format("corrupt drained mark in %s at offset 0x%x: "
                    + "expected 0 or %x, found %x", path, DRAINED_OFFSET, DRAINED_MAGIC, w));
        }
        return w == DRAINED_MAGIC;
    }

    /**
     * Whether an operator asked for this epoch to be rotated ({@link #requestRotation}). A
     * new epoch's control file starts without the word, so one request makes one rotation.
     */
    public boolean rotationRequested() {
        region.invalidate(REQUEST_OFFSET, 8);
        long w = region.getLongAcquire(REQUEST_OFFSET);
        if (w != 0 && w != REQUEST_MAGIC) {
            throw new BridgeException(ErrorKind.CORRUPT_MEDIA, String.format("corrupt rotation request in %s at offset "
                    + "0x%x: expected 0 or %x, found %x", path, REQUEST_OFFSET, REQUEST_MAGIC, w));
        }
        return w == REQUEST_MAGIC;
    }

    /**
     * Asks the publisher to rotate this epoch: stores the request word in place through
     * {@code devicePath} (this host's path of the epoch's device, writable by this process),
     * through a mapping of just that line, and writes it back. Works on a read-only view: the
     * publisher holds the volume as master. If the epoch is sealed and its device reformatted
     * meanwhile, the store can only land at the same offset of the next control file on that
     * device (the first file at the first allocation unit), i.e. ask for one more rotation.
     */
    public void requestRotation(Path devicePath) {
        try (SharedSlot s = SharedSlot.open(devicePath, file, REQUEST_OFFSET, 8)) {
            s.putLongRelease(0, REQUEST_MAGIC);
            s.flush();
        }
    }

    /** The 64 bytes of slot {@code i} as they are now (for lease judgement: any change is a sign of life). */
    public byte[] rawSlot(int i) {
        int at = slotOffset(i);
        region.invalidate(at, AckSlot.SIZE);
        byte[] raw = new byte[AckSlot.SIZE];
        // Beat word first (acquire), then the rest: a line caught mid-write fails its CRC.
        long beat = region.getLongAcquire(at);
        view.duplicate().position(at).get(raw);
        ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).putLong(0, beat);
        return raw;
    }

    /**
     * Slot {@code i} decoded, or null when never written. A line caught mid-write is read
     * again; one that stays unreadable is CORRUPT_MEDIA.
     */
    public AckSlot slot(int i) {
        BridgeException last = null;
        for (int attempt = 0; attempt < TORN_RETRIES; attempt++) {
            try {
                return AckSlot.decode(ByteBuffer.wrap(rawSlot(i)), path + " slot " + i);
            } catch (BridgeException e) {
                last = e;
                Thread.onSpinWait();
            }
        }
        throw last;
    }

    /** The device offset of slot {@code i}: what a replica maps writable to store its acknowledgements. */
    public long slotDeviceOffset(int i) {
        return file.deviceOffset(slotOffset(i));
    }

    /** Maps slot {@code i} writable through {@code devicePath}, this host's name for the epoch's device. */
    SharedSlot openSlot(Path devicePath, int i) {
        return SharedSlot.open(devicePath, file, slotOffset(i), AckSlot.SIZE);
    }

    private int slotOffset(int i) {
        if (i < 0 || i >= slotCount) {
            throw new BridgeException(ErrorKind.INVALID_ARGUMENT, "slot " + i + " is outside 0.." + (slotCount - 1)
                    + " of " + path);
        }
        return SLOTS_OFFSET + i * AckSlot.SIZE;
    }

    private WritableRegion master() {
        if (writable == null) {
            throw new BridgeException(ErrorKind.NOT_MASTER, path + " is open read-only on " + where);
        }
        return writable;
    }
}
