package io.famfsrocks.famfs.fs;

import io.famfsrocks.famfs.format.Extent;
import io.famfsrocks.famfs.format.FileLayout;

import java.util.ArrayList;
import java.util.List;

/**
 * Where a file's bytes are on the device, as {@code stat} and {@code getmap} show it.
 * Immutable.
 *
 * @param interleaved whether the file is striped in chunks across strips
 * @param chunkSize   chunk size of an interleaved file, else 0
 * @param extents     the extents (of an interleaved file: its strips, in order)
 */
public record FileMap(boolean interleaved, long chunkSize, List<Span> extents, long allocatedBytes) {
    /** One run of device bytes. */
    public record Span(long devIndex, long offset, long length) {}

    static FileMap of(FileLayout l) {
        List<Span> spans = new ArrayList<>(l.extents().size());
        for (Extent e : l.extents()) {
            spans.add(new Span(e.devIndex(), e.offset(), e.length()));
        }
        return new FileMap(l instanceof FileLayout.Interleaved, l instanceof FileLayout.Interleaved il ? il.chunkSize() : 0,
                List.copyOf(spans), l.allocatedBytes());
    }
}
