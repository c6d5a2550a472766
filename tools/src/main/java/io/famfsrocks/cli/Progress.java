package io.famfsrocks.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The progress convention of every long verb ({@code cp}, {@code sst-publish}, {@code demo}'s load),
 * in one of its {@link Mode}s: a bar redrawn in place on a terminal, a plain line at most once
 * a second otherwise, or with {@code --json} one JSON object per line on stdout
 * ({@code {"verb":..., "event":"progress", ...}} at most once a second, then the verb's
 * summary as {@code "event":"done"}), so a script reads stdout line by line and never
 * parses text. Work is counted in items (SSTs, files, writes) and bytes; totals given up
 * front are a floor (a verb may find more to do than it planned: it never shows "1 of 0").
 *
 * <p>Hand-written rather than a bar library: one line on one stream; libraries such as
 * me.tongfei:progressbar bring JLine and a thread of their own. JSON is written by Jackson,
 * the project's JSON library. Not thread-safe.
 */
public final class Progress implements AutoCloseable {
    /** How progress is shown. */
    public enum Mode {
        OFF, BAR, LINES, JSON;

        /**
         * The convention: {@code --json} wins; {@code --no-progress} shows nothing; else a bar
         * on a terminal (stderr of an interactive session) and lines otherwise. {@code auto}
         * false (a small job) shows nothing unless {@code --progress} asked.
         */
        public static Mode of(Boolean progressFlag, boolean json, boolean auto) {
            if (json) {
                return JSON;
            }
            if (Boolean.FALSE.equals(progressFlag) || (progressFlag == null && !auto)) {
                return OFF;
            }
            return System.console() != null ? BAR : LINES;
        }
    }

    private static final int WIDTH = 30;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Mode mode;
    private final PrintWriter out;
    private final PrintWriter err;
    private final String verb;
    private final String label;
    private final String action;
    private final String unit;
    private final LongSupplier clock;
    private final long start;
    private long total;
    private long totalBytes;
    private long done = -1;
    private long doneBytes;
    private long lastDraw;
    private boolean drawn;
    private boolean pending;
    private boolean barOpen;

    /**
     * @param verb   the verb, as JSON names it ({@code "cp"})
     * @param label  what the text forms start with (the verb, or the file being copied)
     * @param action the past participle the lines use ({@code "copied"}, {@code "loaded"})
     * @param unit   what the items are ({@code "SSTs"}), or null when only bytes count
     */
    public Progress(Mode mode, PrintWriter out, PrintWriter err, String verb, String label, String action, String unit) {
        this(mode, out, err, verb, label, action, unit, System::nanoTime);
    }

    Progress(Mode mode, PrintWriter out, PrintWriter err, String verb, String label, String action, String unit,
             LongSupplier clock) {
        this.mode = mode;
        this.out = out;
        this.err = err;
        this.verb = verb;
        this.label = label;
        this.action = action;
        this.unit = unit;
        this.clock = clock;
        this.start = clock.getAsLong();
    }

    public Mode mode() {
        return mode;
    }

    /** Sets the totals (a floor: what is done later may exceed them; they then follow). */
    public Progress totals(long items, long bytes) {
        total = Math.max(total, items);
        totalBytes = Math.max(totalBytes, bytes);
        return this;
    }

    /** Reports what is done so far; draws when due (the bar ten times a second, lines and JSON once a second). */
    public void update(long items, long bytes) {
        boolean changed = items != done || bytes != doneBytes;
        done = items;
        doneBytes = bytes;
        totals(items, bytes);
        pending |= changed;
        long now = clock.getAsLong();
        long every = mode == Mode.BAR ? 100_000_000L : 1_000_000_000L;
        // Nothing done yet is not shown: the first line says something advanced, at once (a
        // caller waiting for it, e.g. to interrupt a run, sees it right after the first item).
        if (mode != Mode.OFF && pending && (items > 0 || bytes > 0) && (!drawn || now - lastDraw >= every)) {
            draw(now);
        }
    }

    private void draw(long now) {
        lastDraw = now;
        drawn = true;
        pending = false;
        double secs = Math.max((now - start) / 1e9, 1e-9);
        double frac = totalBytes > 0 ? (double) doneBytes / totalBytes : total > 0 ? (double) done / total : 1;
        String items = unit == null ? "" : String.format(Locale.ROOT, "%d of %d %s, ", done, total, unit);
        switch (mode) {
            case BAR -> {
                int filled = (int) (Math.min(1, frac) * WIDTH);
                String bytes = totalBytes == 0 && unit != null ? String.format(Locale.ROOT, "%.0f %s/s", done / secs, unit)
                        : Sizes.human(doneBytes) + "/" + Sizes.human(totalBytes) + " " + Sizes.human((long) (doneBytes / secs)) + "/s";
                err.printf(Locale.ROOT, "\r%s [%s%s] %3d%% %s%s   ", label, "=".repeat(filled),
                        " ".repeat(WIDTH - filled), (int) (frac * 100), unit == null ? "" : done + "/" + total + " " + unit + " ",
                        bytes);
                barOpen = true;
                err.flush();
            }
            case LINES -> {
                if (totalBytes == 0 && unit != null) { // items only (writes): no bytes to show
                    err.printf(Locale.ROOT, "%s: %s %d of %d %s (%d%%)%n", label, action, done, total, unit, (int) (frac * 100));
                } else {
                    err.printf(Locale.ROOT, "%s: %s %s%s of %s (%d%%)%n", label, action, items, Sizes.human(doneBytes),
                            Sizes.human(totalBytes), (int) (frac * 100));
                }
                err.flush();
            }
            case JSON -> {
                Map<String, Object> e = event("progress");
                if (unit != null) {
                    e.put("unit", unit);
                    e.put("done", done);
                    e.put("total", total);
                }
                e.put("bytes_done", doneBytes);
                e.put("bytes_total", totalBytes);
                e.put("seconds", Math.round(secs * 1000) / 1000.0);
                e.put("bytes_per_second", (long) (doneBytes / secs));
                line(e);
            }
            case OFF -> { }
        }
    }

    /** A JSON object {@code {"verb":..., "event": name}} to fill and give to {@link #line}. */
    public Map<String, Object> event(String name) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("verb", verb);
        e.put("event", name);
        if (!label.equals(verb)) {
            e.put("label", label);
        }
        return e;
    }

    /** In JSON mode, writes {@code e} as one line on stdout; in the others nothing. */
    public void line(Map<String, Object> e) {
        if (mode != Mode.JSON) {
            return;
        }
        try {
            out.println(JSON.writeValueAsString(e));
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException("cannot write progress as JSON: " + ex.getMessage(), ex);
        }
        out.flush();
    }

    /** Draws the final state if it was not shown yet, and ends the bar's line. */
    @Override
    public void close() {
        if (pending && mode != Mode.OFF) {
            draw(clock.getAsLong());
        }
        if (barOpen) {
            err.println();
            err.flush();
            barOpen = false;
        }
    }
}
