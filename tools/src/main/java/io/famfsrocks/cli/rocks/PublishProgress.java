package io.famfsrocks.cli.rocks;

import io.famfsrocks.cli.Sizes;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * Files and bytes copied by {@code sst-publish}: a bar redrawn in place on a terminal (at most
 * ten times a second), otherwise a plain line at most once a second (log files, tests). Not
 * thread-safe.
 */
final class PublishProgress implements AutoCloseable {
    private static final int WIDTH = 30;

    private final PrintWriter err;
    private long files;
    private long bytes;
    private final boolean bar;
    private final boolean lines;
    private final long start = System.nanoTime();
    private long lastDraw;
    private long lastFiles = -1;

    PublishProgress(PrintWriter err, int files, long bytes, boolean bar, boolean lines) {
        this.err = err;
        this.files = files;
        this.bytes = bytes;
        this.bar = bar;
        this.lines = lines;
    }

    /**
     * Redraws when due. The plan's totals are a floor: the publisher may copy more than planned
     * (a WAL flushed into an SST on open, an SST of the right size whose CRC does not match is
     * copied again), and the progress never says "copied 1 of 0 SSTs" (issue 13 item 11).
     */
    void update(long doneFiles, long doneBytes) {
        files = Math.max(files, doneFiles);
        bytes = Math.max(bytes, doneBytes);
        long now = System.nanoTime();
        if (bar && now - lastDraw > 100_000_000L) {
            lastDraw = now;
            double frac = bytes == 0 ? 1 : Math.min(1, (double) doneBytes / bytes);
            int filled = (int) (frac * WIDTH);
            double secs = Math.max((now - start) / 1e9, 1e-9);
            err.printf(Locale.ROOT, "\rsst-publish [%s%s] %d/%d SSTs %s/%s %s/s   ", "=".repeat(filled),
                    " ".repeat(WIDTH - filled), doneFiles, files, Sizes.human(doneBytes), Sizes.human(bytes),
                    Sizes.human((long) (doneBytes / secs)));
            err.flush();
        } else if (!bar && lines && doneFiles != lastFiles && (now - lastDraw > 1_000_000_000L || lastFiles <= 0)) {
            lastDraw = now;
            lastFiles = doneFiles;
            err.printf(Locale.ROOT, "sst-publish: copied %d of %d SSTs, %s of %s%n", doneFiles, files,
                    Sizes.human(doneBytes), Sizes.human(bytes));
            err.flush();
        }
    }

    @Override
    public void close() {
        if (bar) {
            lastDraw = 0;
            err.println();
            err.flush();
        }
    }
}
