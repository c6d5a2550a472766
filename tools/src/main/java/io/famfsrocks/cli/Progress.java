package io.famfsrocks.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * A one-line progress bar on stderr, redrawn at most ten times a second. Hand-written
 * (about 50 lines) rather than a library: the CLI needs one bar, on one stream, and
 * libraries such as me.tongfei:progressbar bring JLine and a background thread. A
 * disabled bar draws nothing. Not thread-safe.
 */
final class Progress implements AutoCloseable {
    private static final int WIDTH = 30;

    private final PrintWriter err;
    private final String label;
    private final long total;
    private final boolean enabled;
    private final long start = System.nanoTime();
    private long lastDraw;
    private long done;

    Progress(PrintWriter err, String label, long total, boolean enabled) {
        this.err = err;
        this.label = label;
        this.total = total;
        this.enabled = enabled;
    }

    void advance(long bytes) {
        done += bytes;
        long now = System.nanoTime();
        if (enabled && (now - lastDraw > 100_000_000L || done >= total)) {
            lastDraw = now;
            draw(now);
        }
    }

    private void draw(long now) {
        double frac = total == 0 ? 1 : (double) done / total;
        int filled = (int) (frac * WIDTH);
        double secs = Math.max((now - start) / 1e9, 1e-9);
        err.printf(Locale.ROOT, "\r%s [%s%s] %3d%% %s/%s %s/s", label, "=".repeat(filled), " ".repeat(WIDTH - filled),
                (int) (frac * 100), Sizes.human(done), Sizes.human(total), Sizes.human((long) (done / secs)));
        err.flush();
    }

    @Override
    public void close() {
        if (enabled) {
            draw(System.nanoTime());
            err.println();
            err.flush();
        }
    }
}
