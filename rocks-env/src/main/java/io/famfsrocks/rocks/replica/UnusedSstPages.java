package io.famfsrocks.rocks.replica;

import io.famfsrocks.famfs.fuse.PageCache;

import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * The shared SSTs no applied version names any more whose page cache is not dropped yet
 * (file number -> path through the mount), and their dropping: the kernel keeps every page
 * a replica ever read through its mount, obsolete SSTs included (famfs never deletes them).
 * A file some secondary instance of this process still maps (an older instance a reader
 * holds, or one whose table cache has not let it go yet) waits for a later call, since the
 * kernel drops no mapped pages; retried at most every 100 ms while some wait.
 * Not thread-safe: the follower thread only.
 */
final class UnusedSstPages {
    private static final System.Logger LOG = System.getLogger(UnusedSstPages.class.getName());
    private final String dataset;
    private final Map<Long, Path> pending = new HashMap<>();
    private long nextDropNanos;

    UnusedSstPages(String dataset) {
        this.dataset = dataset;
    }

    /** The map {@link ReplicaDirectory#prune} adds the files whose links it removed to. */
    Map<Long, Path> pending() {
        return pending;
    }

    /** True when some files wait and the retry interval has passed. */
    boolean due() {
        return !pending.isEmpty() && System.nanoTime() - nextDropNanos > 0;
    }

    /** Forgets the files {@code live} names again, then drops the pages of those nothing maps. */
    void drop(Collection<Long> live) {
        for (Long n : live) {
            pending.remove(n);
        }
        if (pending.isEmpty()) {
            return;
        }
        nextDropNanos = System.nanoTime() + 100_000_000L;
        try {
            Set<Path> mapped = PageCache.mappedHere(new HashSet<>(pending.values()));
            for (Iterator<Map.Entry<Long, Path>> it = pending.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<Long, Path> e = it.next();
                if (!mapped.contains(e.getValue())) {
                    it.remove(); // once, even if it fails: a page cache is not worth a retry loop
                    PageCache.drop(e.getValue());
                }
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "replica of {0}: cannot drop the page cache of unused SSTs: {1}",
                    dataset, e.getMessage());
        }
    }
}
