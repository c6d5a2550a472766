package io.famfsrocks.famfs.format;

import io.famfsrocks.famfs.CorruptMediaException;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A log entry (544 bytes; entry {@code i} at {@link FamfsLayout#logEntryOffset}). The CRC
 * covers bytes [0, 536): sequence number, type and the whole payload union, padding
 * included. Decoding checks, in order: sequence number, CRC, type, then the payload's
 * meaning (terminated path, extent counts). A path with empty or {@code .} components,
 * which the reference writes verbatim, decodes to the path it stands for
 * ({@link FamfsPaths#readable}); {@link #storedPath} gives the spelling. Placement of extents on the device is the
 * volume's business, not the codec's.
 */
public sealed interface LogEntry permits LogEntry.FileEntry, LogEntry.MkdirEntry, LogEntry.DaxdevEntry {
    int SIZE = 544;
    int OFF_SEQNUM = 0;
    int OFF_TYPE = 8;
    int OFF_PAYLOAD = 16;
    int OFF_CRC = 536;
    int CRC_COVERED = OFF_CRC;

    int TYPE_FILE = 0;
    int TYPE_MKDIR = 1;
    int TYPE_DELETE = 2;
    int TYPE_ADD_DAXDEV = 3;
    int TYPE_INVALID = 4;

    // FILE payload, at entry offsets.
    int OFF_FILE_SIZE = 16;
    int OFF_FILE_FLAGS = 24;
    int OFF_FILE_UID = 28;
    int OFF_FILE_GID = 32;
    int OFF_FILE_MODE = 36;
    int OFF_FILE_RELPATH = 40;
    int OFF_FILE_EXT_TYPE = 120;
    int OFF_FILE_NEXTENTS = 128;
    int OFF_FILE_EXTENTS = 136;
    int OFF_FILE_IE_NSTRIPS = 136;
    int OFF_FILE_IE_CHUNK = 144;
    int OFF_FILE_IE_STRIPS = 152;
    int EXT_SIMPLE = 0;
    int EXT_INTERLEAVED = 1;

    // MKDIR payload.
    int OFF_DIR_UID = 16;
    int OFF_DIR_GID = 20;
    int OFF_DIR_MODE = 24;
    int OFF_DIR_RELPATH = 28;

    // ADD_DAXDEV payload.
    int OFF_DAX_SIZE = 16;
    int OFF_DAX_UUID = 24;
    int OFF_DAX_INDEX = 40;

    /** The relative path this entry creates ({@code null} for ADD_DAXDEV). */
    String path();

    int type();

    /** A FILE entry: a file of exactly {@code size} bytes, preallocated in {@code layout}. */
    record FileEntry(long size, int flags, int uid, int gid, int mode, String path, FileLayout layout)
            implements LogEntry {
        @Override
        public int type() {
            return TYPE_FILE;
        }
    }

    record MkdirEntry(int uid, int gid, int mode, String path) implements LogEntry {
        @Override
        public int type() {
            return TYPE_MKDIR;
        }
    }

    record DaxdevEntry(long deviceSize, UUID deviceUuid, int deviceIndex) implements LogEntry {
        @Override
        public String path() {
            return null;
        }

        @Override
        public int type() {
            return TYPE_ADD_DAXDEV;
        }
    }

    /** The stored CRC of an encoded entry. */
    public static long storedCrc(ByteBuffer buf) {
        return Codec.le(buf).getLong(OFF_CRC);
    }

    /**
     * Decodes the entry in {@code buf} (positioned at the entry's first byte, absolute
     * indexing from 0) that must sit in slot {@code index}.
     */
    public static LogEntry decode(ByteBuffer buf, long index) {
        ByteBuffer b = Codec.le(buf);
        long at = FamfsLayout.logEntryOffset(index);
        String what = "log entry " + index;
        if (b.capacity() < SIZE) {
            throw new CorruptMediaException(what, at, "size", SIZE, b.capacity());
        }
        long seq = b.getLong(OFF_SEQNUM);
        if (seq != index) {
            throw new CorruptMediaException(what, at + OFF_SEQNUM, "seqnum", index, seq);
        }
        long stored = b.getLong(OFF_CRC);
        long computed = Codec.crc(b, 0, CRC_COVERED);
        if (stored != computed) {
            throw new CorruptMediaException(what, at + OFF_CRC, "crc", Codec.hex(computed), Codec.hex(stored));
        }
        int type = b.getInt(OFF_TYPE);
        switch (type) {
            case TYPE_FILE:
                return decodeFile(b, what, at);
            case TYPE_MKDIR:
                return new MkdirEntry(b.getInt(OFF_DIR_UID), b.getInt(OFF_DIR_GID), b.getInt(OFF_DIR_MODE),
                        path(b, OFF_DIR_RELPATH, what, at));
            case TYPE_ADD_DAXDEV:
                return new DaxdevEntry(b.getLong(OFF_DAX_SIZE), Codec.getUuid(b, OFF_DAX_UUID), b.getInt(OFF_DAX_INDEX));
            default:
                throw new CorruptMediaException(what, at + OFF_TYPE, "type", "FILE, MKDIR or ADD_DAXDEV", type);
        }
    }

    private static FileEntry decodeFile(ByteBuffer b, String what, long at) {
        long size = b.getLong(OFF_FILE_SIZE);
        if (size <= 0) {
            throw new CorruptMediaException(what, at + OFF_FILE_SIZE, "file size", "> 0", size);
        }
        String path = path(b, OFF_FILE_RELPATH, what, at);
        int extType = b.getInt(OFF_FILE_EXT_TYPE);
        int n = b.getInt(OFF_FILE_NEXTENTS);
        FileLayout layout;
        if (extType == EXT_SIMPLE) {
            if (n < 1 || n > FamfsLayout.MAX_EXTENTS) {
                throw new CorruptMediaException(what, at + OFF_FILE_NEXTENTS, "nextents", "1.." + FamfsLayout.MAX_EXTENTS, n);
            }
            List<Extent> ext = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                ext.add(Extent.decode(b, OFF_FILE_EXTENTS + i * Extent.SIZE));
            }
            layout = new FileLayout.Simple(ext);
        } else if (extType == EXT_INTERLEAVED) {
            if (n != 1) {
                throw new CorruptMediaException(what, at + OFF_FILE_NEXTENTS, "interleaved extent count", 1, n);
            }
            long nstrips = b.getLong(OFF_FILE_IE_NSTRIPS);
            long chunk = b.getLong(OFF_FILE_IE_CHUNK);
            if (nstrips < 1 || nstrips > FamfsLayout.MAX_STRIPS) {
                throw new CorruptMediaException(what, at + OFF_FILE_IE_NSTRIPS, "nstrips", "1.." + FamfsLayout.MAX_STRIPS, nstrips);
            }
            if (chunk <= 0) {
                throw new CorruptMediaException(what, at + OFF_FILE_IE_CHUNK, "chunk_size", "> 0", chunk);
            }
            List<Extent> strips = new ArrayList<>((int) nstrips);
            for (int i = 0; i < nstrips; i++) {
                strips.add(Extent.decode(b, OFF_FILE_IE_STRIPS + i * Extent.SIZE));
            }
            layout = new FileLayout.Interleaved(chunk, strips);
        } else {
            throw new CorruptMediaException(what, at + OFF_FILE_EXT_TYPE, "ext_type", "0 or 1", extType);
        }
        return new FileEntry(size, b.getInt(OFF_FILE_FLAGS), b.getInt(OFF_FILE_UID), b.getInt(OFF_FILE_GID),
                b.getInt(OFF_FILE_MODE), path, layout);
    }

    private static String path(ByteBuffer b, int off, String what, long at) {
        if (!Codec.isTerminated(b, off, FamfsLayout.MAX_PATHLEN)) {
            throw new CorruptMediaException(what, at + off, "relpath", "a NUL-terminated path", "no terminator");
        }
        String p = Codec.getString(b, off, FamfsLayout.MAX_PATHLEN);
        String problem = FamfsPaths.problem(p);
        if (problem != null) {
            String readable = FamfsPaths.readable(p); // a reference spelling: a//b, a/./b
            if (readable != null) {
                return readable;
            }
            throw new CorruptMediaException(what, at + off, "relpath", "a valid relative path", "'" + p + "' (" + problem + ")");
        }
        return p;
    }

    /**
     * The path a FILE or MKDIR entry holds, exactly as stored, or {@code null} for other
     * types or an unterminated field; no check. {@link #decode} returns the path it stands
     * for ({@link FamfsPaths#readable}), so where the two differ the entry was written with a
     * spelling only the reference's tools write.
     */
    public static String storedPath(ByteBuffer buf) {
        ByteBuffer b = Codec.le(buf);
        if (b.capacity() < SIZE) {
            return null;
        }
        int type = b.getInt(OFF_TYPE);
        int off = type == TYPE_FILE ? OFF_FILE_RELPATH : type == TYPE_MKDIR ? OFF_DIR_RELPATH : -1;
        if (off < 0 || !Codec.isTerminated(b, off, FamfsLayout.MAX_PATHLEN)) {
            return null;
        }
        return Codec.getString(b, off, FamfsLayout.MAX_PATHLEN);
    }

    /** Encodes {@code e} as slot {@code index}: every byte of the 544 is written, CRC last. */
    public static void encode(LogEntry e, long index, ByteBuffer buf) {
        ByteBuffer b = Codec.le(buf);
        Codec.zero(b, 0, SIZE);
        b.putLong(OFF_SEQNUM, index);
        b.putInt(OFF_TYPE, e.type());
        if (e instanceof FileEntry f) {
            b.putLong(OFF_FILE_SIZE, f.size());
            b.putInt(OFF_FILE_FLAGS, f.flags());
            b.putInt(OFF_FILE_UID, f.uid());
            b.putInt(OFF_FILE_GID, f.gid());
            b.putInt(OFF_FILE_MODE, f.mode());
            Codec.putString(b, OFF_FILE_RELPATH, FamfsLayout.MAX_PATHLEN, f.path());
            if (f.layout() instanceof FileLayout.Interleaved il) {
                b.putInt(OFF_FILE_EXT_TYPE, EXT_INTERLEAVED);
                b.putInt(OFF_FILE_NEXTENTS, 1);
                b.putLong(OFF_FILE_IE_NSTRIPS, il.strips().size());
                b.putLong(OFF_FILE_IE_CHUNK, il.chunkSize());
                for (int i = 0; i < il.strips().size(); i++) {
                    il.strips().get(i).encodeTo(b, OFF_FILE_IE_STRIPS + i * Extent.SIZE);
                }
            } else {
                List<Extent> ext = f.layout().extents();
                b.putInt(OFF_FILE_EXT_TYPE, EXT_SIMPLE);
                b.putInt(OFF_FILE_NEXTENTS, ext.size());
                for (int i = 0; i < ext.size(); i++) {
                    ext.get(i).encodeTo(b, OFF_FILE_EXTENTS + i * Extent.SIZE);
                }
            }
        } else if (e instanceof MkdirEntry d) {
            b.putInt(OFF_DIR_UID, d.uid());
            b.putInt(OFF_DIR_GID, d.gid());
            b.putInt(OFF_DIR_MODE, d.mode());
            Codec.putString(b, OFF_DIR_RELPATH, FamfsLayout.MAX_PATHLEN, d.path());
        } else if (e instanceof DaxdevEntry x) {
            b.putLong(OFF_DAX_SIZE, x.deviceSize());
            Codec.putUuid(b, OFF_DAX_UUID, x.deviceUuid());
            b.putInt(OFF_DAX_INDEX, x.deviceIndex());
        }
        b.putLong(OFF_CRC, Codec.crc(b, 0, CRC_COVERED));
    }
}
