package io.famfsrocks.famfs.fs;

import io.famfsrocks.famfs.alloc.AllocationBitmap;
import io.famfsrocks.famfs.format.Extent;
import io.famfsrocks.famfs.format.FamfsLayout;
import io.famfsrocks.famfs.format.FamfsPaths;
import io.famfsrocks.famfs.format.FileLayout;
import io.famfsrocks.famfs.format.LogEntry;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The tree the log describes, and the allocation bitmap rebuilt from it. Entries are
 * applied in log order by one thread at a time ({@link #apply} is called under the
 * volume's refresh lock); lookups and listings are safe from any thread concurrently.
 * An entry that cannot be applied (parent missing, duplicate path, extents outside the
 * device or overlapping the log) is skipped and recorded as an {@link Anomaly}, so that
 * a corrupt log never makes bytes outside a file readable.
 */
public final class Namespace {
    /** An entry replay skipped or that fsck must report. */
    public record Anomaly(long index, String path, String problem) {
        @Override
        public String toString() {
            return "entry " + index + (path == null ? "" : " '" + path + "'") + ": " + problem;
        }
    }

    private final long deviceSize;
    private final long dataStart;
    private final AllocationBitmap bitmap;
    private final Map<String, Node> byPath;
    /** Children per directory, in log order; each list is guarded by itself. */
    private final Map<String, List<Node>> children = new ConcurrentHashMap<>();
    private final List<Anomaly> anomalies = Collections.synchronizedList(new ArrayList<>());
    // Written only by the applying thread; readers see values at least as new as the
    // last refresh they observed (the volume publishes through a volatile index).
    private long files;
    private long dirs;
    private long fileBytes;
    private long allocatedBytes;
    private long collisions;

    private final Node.EntryLoader loader;
    /** The parent of the last applied entry and its child list (applying thread only). */
    private String lastParentPath;
    private List<Node> lastSiblings;

    /** @param loader decodes a file's entry again on demand; null to keep entries in memory */
    Namespace(long deviceSize, long logLen, long allocUnit, long expectedEntries, Node.EntryLoader loader) {
        this.loader = loader;
        this.byPath = new ConcurrentHashMap<>((int) Math.min(1 << 24, expectedEntries * 4 / 3 + 16));
        this.deviceSize = deviceSize;
        this.dataStart = FamfsLayout.dataStart(logLen);
        this.bitmap = new AllocationBitmap(deviceSize, allocUnit);
        bitmap.mark(0, dataStart);
        Node.Dir root = new Node.Dir("", 0, 0, 0755, -1);
        byPath.put("", root);
        children.put("", new ArrayList<>());
    }

    public Node lookup(String path) {
        return byPath.get(path);
    }

    /**
     * Children of a directory, sorted by name; {@code null} if {@code dir} is not a
     * directory. Sorting happens here, not on the replay path, which must stay cheap.
     */
    public List<Node> list(String dir) {
        List<Node> c = children.get(dir);
        if (c == null) {
            return null;
        }
        List<Node> out;
        synchronized (c) {
            out = new ArrayList<>(c);
        }
        out.sort(java.util.Comparator.comparing(Node::path));
        return out;
    }

    public List<Anomaly> anomalies() {
        synchronized (anomalies) {
            return List.copyOf(anomalies);
        }
    }

    public long files() {
        return files;
    }

    public long directories() {
        return dirs;
    }

    public long fileBytes() {
        return fileBytes;
    }

    public long allocatedBytes() {
        return allocatedBytes;
    }

    public long collisions() {
        return collisions;
    }

    AllocationBitmap bitmap() {
        return bitmap;
    }

    /** Why a path cannot be created now; {@link #FREE} when it can. */
    enum Placement { FREE, EXISTS, PARENT_MISSING, PARENT_NOT_A_DIRECTORY }

    /** Whether {@code path} can be created now, and if not why. */
    Placement placement(String path) {
        if (byPath.containsKey(path)) {
            return Placement.EXISTS;
        }
        Node parent = byPath.get(FamfsPaths.parent(path));
        if (parent == null) {
            return Placement.PARENT_MISSING;
        }
        return parent instanceof Node.Dir ? Placement.FREE : Placement.PARENT_NOT_A_DIRECTORY;
    }

    void apply(long index, LogEntry e) {
        if (e instanceof LogEntry.DaxdevEntry) {
            return; // accepted, not used yet: every extent names device 0
        }
        String path = e.path();
        List<Node> siblings = siblingsFor(index, path);
        if (siblings == null) {
            return;
        }
        Node node = nodeFor(index, path, e);
        if (node == null) {
            return;
        }
        if (byPath.putIfAbsent(path, node) != null) {
            anomalies.add(new Anomaly(index, path, "duplicate path"));
            return;
        }
        if (e instanceof LogEntry.MkdirEntry) {
            children.put(path, new ArrayList<>());
            dirs++;
        } else {
            account(index, path, (LogEntry.FileEntry) e);
        }
        synchronized (siblings) {
            siblings.add(node);
        }
    }

    /**
     * The child list of {@code path}'s parent, or null (and an anomaly recorded) when the
     * parent is not a directory. Replay applies hundreds of thousands of entries: one map
     * probe for the parent, none when the previous entry had the same one.
     */
    private List<Node> siblingsFor(long index, String path) {
        String parentPath = FamfsPaths.parent(path);
        if (parentPath.equals(lastParentPath)) {
            return lastSiblings;
        }
        Node parent = byPath.get(parentPath);
        if (!(parent instanceof Node.Dir)) {
            anomalies.add(new Anomaly(index, path, byPath.containsKey(path) ? "duplicate path" : parent == null
                    ? "child logged before its parent (or parent missing)" : "parent is a file"));
            return null;
        }
        lastParentPath = parentPath;
        lastSiblings = children.get(parentPath);
        return lastSiblings;
    }

    /** The node an entry describes, or null (and an anomaly recorded) when a file's extents are bad. */
    private Node nodeFor(long index, String path, LogEntry e) {
        if (e instanceof LogEntry.MkdirEntry d) {
            return new Node.Dir(path, d.uid(), d.gid(), d.mode(), index);
        }
        LogEntry.FileEntry f = (LogEntry.FileEntry) e;
        String bad = extentProblem(f);
        if (bad != null) {
            anomalies.add(new Anomaly(index, path, byPath.containsKey(path) ? "duplicate path" : bad));
            return null;
        }
        return new Node.File(path, f, index, loader);
    }

    /** Marks a new file's extents in the bitmap (recording collisions) and counts it. */
    private void account(long index, String path, LogEntry.FileEntry f) {
        long hits = 0;
        for (Extent x : f.layout().extents()) {
            hits += bitmap.mark(x.offset(), x.length());
        }
        if (hits > 0) {
            collisions += hits;
            anomalies.add(new Anomaly(index, path, hits + " allocation unit(s) collide with earlier files"));
        }
        files++;
        fileBytes += f.size();
        allocatedBytes += f.layout().allocatedBytes();
    }

    /** Checks that a file's extents lie inside the data area, aligned, and cover its size. */
    String extentProblem(LogEntry.FileEntry f) {
        long au = bitmap.allocUnit();
        for (Extent x : f.layout().extents()) {
            if (x.devIndex() != 0) {
                return "extent on device " + x.devIndex() + "; only device 0 exists";
            }
            if (x.offset() % au != 0 || x.length() % au != 0 || x.length() <= 0) {
                return String.format("extent [0x%x, +0x%x) not aligned to the allocation unit", x.offset(), x.length());
            }
            if (x.offset() < dataStart || x.offset() > deviceSize - x.length()) {
                return String.format("extent [0x%x, +0x%x) outside the data area [0x%x, 0x%x)",
                        x.offset(), x.length(), dataStart, deviceSize);
            }
        }
        FileLayout l = f.layout();
        if (l instanceof FileLayout.Interleaved il) {
            long cs = il.chunkSize();
            long n = il.strips().size();
            long chunks = (f.size() + cs - 1) / cs;
            for (int s = 0; s < n && s < chunks; s++) {
                long last = s + ((chunks - 1 - s) / n) * n; // last chunk that lives in strip s
                long lastLen = Math.min(cs, f.size() - last * cs);
                long need = (last / n) * cs + lastLen;
                if (il.strips().get(s).length() < need) {
                    return "strip " + s + " is shorter than the chunks it must hold";
                }
            }
        } else if (l.allocatedBytes() < f.size()) {
            return "extents hold " + l.allocatedBytes() + " bytes, file size is " + f.size();
        }
        return null;
    }
}
