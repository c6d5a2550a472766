package io.famfsrocks.famfs.fs;

import io.famfsrocks.famfs.format.LogEntry;

/** A name in the volume: a directory or a file, as one log entry created it. Immutable. */
public sealed interface Node permits Node.Dir, Node.File {
    /** Path relative to the root; {@code ""} for the root. */
    String path();

    int uid();

    int gid();

    /** Permission bits only. */
    int mode();

    /** The log index that created it; -1 for the root. */
    long logIndex();

    record Dir(String path, int uid, int gid, int mode, long logIndex) implements Node {}

    /**
     * A file. It keeps what listings and attributes need; the full entry (the extents) is
     * decoded from the log on first use, so a replayed namespace of half a million files
     * holds a few small objects each. Log entries below {@code next_index} never change.
     */
    final class File implements Node {
        private final String path;
        private final long logIndex;
        private final long size;
        private final long allocatedBytes;
        private final int uid;
        private final int gid;
        private final int mode;
        private final EntryLoader loader;
        private volatile LogEntry.FileEntry entry;

        File(String path, LogEntry.FileEntry e, long logIndex, EntryLoader loader) {
            this.path = path;
            this.logIndex = logIndex;
            this.size = e.size();
            this.allocatedBytes = e.layout().allocatedBytes();
            this.uid = e.uid();
            this.gid = e.gid();
            this.mode = e.mode();
            this.loader = loader;
            this.entry = loader == null ? e : null;
        }

        @Override
        public String path() {
            return path;
        }

        @Override
        public long logIndex() {
            return logIndex;
        }

        public long size() {
            return size;
        }

        /** Bytes of device the file's extents cover. */
        public long allocatedBytes() {
            return allocatedBytes;
        }

        @Override
        public int uid() {
            return uid;
        }

        @Override
        public int gid() {
            return gid;
        }

        @Override
        public int mode() {
            return mode;
        }

        /** Where the file's bytes are (decoded from its log entry). */
        public FileMap map() {
            return FileMap.of(entry().layout());
        }

        /** The log entry that created the file (decoded once, then kept). */
        public LogEntry.FileEntry entry() {
            LogEntry.FileEntry e = entry;
            if (e == null) {
                e = (LogEntry.FileEntry) loader.load(logIndex);
                entry = e;
            }
            return e;
        }

        @Override
        public String toString() {
            return "File[" + path + ", " + size + " bytes, entry " + logIndex + "]";
        }
    }

    /** Decodes the log entry at an index (the volume's log). */
    @FunctionalInterface
    interface EntryLoader {
        LogEntry load(long index);
    }
}
