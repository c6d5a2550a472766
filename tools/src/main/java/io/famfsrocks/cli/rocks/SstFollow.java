package io.famfsrocks.cli.rocks;

import io.famfsrocks.cli.CliException;
import io.famfsrocks.cli.ExitCode;
import io.famfsrocks.cli.Progress;
import io.famfsrocks.cli.Sizes;
import io.famfsrocks.famfs.fs.MasterVolume;
import io.famfsrocks.rocks.publish.FamfsPublisher;
import io.famfsrocks.rocks.publish.PublisherConfig;
import io.famfsrocks.rocks.publish.PublisherMetrics;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code sst-publish --db DIR --follow}: the sidecar. Publishes a DB that another process
 * owns ({@link FamfsPublisher#follow}) and keeps publishing its flushes and compactions
 * until SIGTERM or Ctrl-C, then stops cleanly: the shutdown hook closes the publisher
 * (a publication in progress commits no version; its copied SSTs are reused by the next
 * run), and waits for this thread to report and delete its temporary directory. The JVM then
 * exits as on any signal (143 for SIGTERM, 130 for SIGINT). Not thread-safe (one per run).
 */
final class SstFollow {
    private final PrintWriter out;
    private final PrintWriter err;
    private final Progress progress;
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile FamfsPublisher publisher;
    private volatile boolean stopping;

    /** @param progress the run's progress: its mode decides how each new version is shown */
    SstFollow(PrintWriter out, PrintWriter err, Progress progress) {
        this.out = out;
        this.err = err;
        this.progress = progress;
    }

    /** How the first publication is started and shown (its progress). */
    @FunctionalInterface
    interface First {
        void start(FamfsPublisher pub) throws Exception;
    }

    /** Follows {@code db} until stopped; {@code first} starts the publisher with its progress. */
    ExitCode run(MasterVolume vol, String dataset, Path db, PublisherConfig cfg, First first) throws Exception {
        Path wal = Files.createTempDirectory("famfs-follow-wal-");
        Thread hook = new Thread(this::stop, "sst-publish-follow-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            FamfsPublisher p = FamfsPublisher.follow(vol, dataset, db, wal, cfg);
            publisher = p;
            if (!stopping) {
                first.start(p); // a signal meanwhile closes it (its exit guard): no version is committed half-way
            }
            PublisherMetrics m = p.metrics();
            if (m.stopped()) {
                throw SstPublishCommand.failure(m);
            }
            if (p.isClosed() || stopping) {
                throw new CliException(ExitCode.INTERRUPTED, "interrupted: dataset " + dataset + " is at version "
                        + m.lastVersion() + "; the SSTs copied so far are reused by the next run");
            }
            if (json()) {
                Map<String, Object> e = SstPublishCommand.summary(progress.event("following"), dataset, m);
                e.put("db", db.toString());
                progress.line(e);
            } else {
                out.printf("following %s: published version %d of dataset %s; copied %d SSTs (%s), reused %d; "
                        + "SIGTERM or Ctrl-C stops%n", db, m.lastVersion(), dataset, m.sstsCopied(),
                        Sizes.human(m.bytesCopied()), m.sstsReused());
                out.flush();
            }
            follow(p, dataset);
            m = p.metrics();
            if (m.stopped()) {
                throw SstPublishCommand.failure(m);
            }
            if (json()) {
                Map<String, Object> e = SstPublishCommand.summary(progress.event("done"), dataset, m);
                e.put("versions_published", m.versionsPublished());
                e.put("stopped_by", "signal");
                progress.line(e);
            } else {
                out.printf("stopped following %s: dataset %s is at version %d (sequence %d); %d versions published, "
                        + "%d SSTs copied (%s)%n", db, dataset, m.lastVersion(), m.lastSequence(), m.versionsPublished(),
                        m.sstsCopied(), Sizes.human(m.bytesCopied()));
                out.flush();
            }
            return ExitCode.INTERRUPTED;
        } finally {
            FamfsPublisher p = publisher;
            if (p != null) {
                p.close();
            }
            ReplicaSession.deleteTree(wal);
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it waits for finished
            }
        }
    }

    private boolean json() {
        return progress.mode() == Progress.Mode.JSON;
    }

    /**
     * Until the publisher is closed (by the hook) or stops: each new version shown as the
     * progress mode says (a line redrawn in place on a terminal, else a line or a JSON
     * object at most once a second).
     */
    private void follow(FamfsPublisher p, String dataset) {
        Progress.Mode mode = progress.mode();
        long shown = p.metrics().lastVersion();
        long lastLine = 0;
        while (!p.isClosed() && !p.metrics().stopped()) {
            try {
                Thread.sleep(mode == Progress.Mode.BAR ? 100 : 50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            PublisherMetrics m = p.metrics();
            long now = System.nanoTime();
            if (m.lastVersion() == shown || mode == Progress.Mode.OFF
                    || (mode != Progress.Mode.BAR && now - lastLine < 1_000_000_000L)) {
                continue;
            }
            shown = m.lastVersion();
            lastLine = now;
            if (mode == Progress.Mode.JSON) {
                Map<String, Object> e = SstPublishCommand.summary(progress.event("version"), dataset, m);
                e.put("lag_p50_ms", m.lagP50Ms());
                e.put("lag_p99_ms", m.lagP99Ms());
                progress.line(e);
                continue;
            }
            String s = String.format(Locale.ROOT, "sst-publish: version %d (sequence %d), %d SSTs copied (%s), "
                    + "flush to publish p50 %d ms, p99 %d ms", m.lastVersion(), m.lastSequence(), m.sstsCopied(),
                    Sizes.human(m.bytesCopied()), m.lagP50Ms(), m.lagP99Ms());
            err.print(mode == Progress.Mode.BAR ? "\r" + s + "   " : s + "\n");
            err.flush();
        }
        if (mode == Progress.Mode.BAR) {
            err.println();
            err.flush();
        }
    }

    /** The shutdown hook: closes the publisher, then waits for {@link #run} to report and clean up. */
    private void stop() {
        stopping = true;
        FamfsPublisher p = publisher;
        if (p != null) {
            p.close();
        }
        try {
            finished.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
