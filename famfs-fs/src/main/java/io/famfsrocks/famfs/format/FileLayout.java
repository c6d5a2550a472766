package io.famfsrocks.famfs.format;

import java.util.List;

/** Where a file's bytes live: a list of simple extents, or strips interleaved by chunk. */
public sealed interface FileLayout permits FileLayout.Simple, FileLayout.Interleaved {

    /** The extents as they appear in the entry (strips for an interleaved file). */
    List<Extent> extents();

    default long allocatedBytes() {
        long sum = 0;
        for (Extent e : extents()) {
            sum += e.length();
        }
        return sum;
    }

    /** Extents laid end to end: file offset {@code o} lives in the first extent that covers it. */
    record Simple(List<Extent> extents) implements FileLayout {
        public Simple {
            extents = List.copyOf(extents);
        }
    }

    /**
     * File chunk {@code c = off / chunkSize} lives in strip {@code c % strips.size()} at strip
     * offset {@code (c / nstrips) * chunkSize + off % chunkSize}.
     */
    record Interleaved(long chunkSize, List<Extent> strips) implements FileLayout {
        public Interleaved {
            strips = List.copyOf(strips);
        }

        @Override
        public List<Extent> extents() {
            return strips;
        }
    }
}
