package io.famfsrocks.famfs.fuse;

/** Receives the names of one directory listing, in order, on the calling thread. */
@FunctionalInterface
public interface DirSink {
    /** @return false when the binding's buffer is full and listing must stop */
    boolean add(String name);
}
