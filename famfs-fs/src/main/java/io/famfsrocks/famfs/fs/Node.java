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

    record File(String path, LogEntry.FileEntry entry, long logIndex) implements Node {
        public long size() {
            return entry.size();
        }

        @Override
        public int uid() {
            return entry.uid();
        }

        @Override
        public int gid() {
            return entry.gid();
        }

        @Override
        public int mode() {
            return entry.mode();
        }
    }
}
