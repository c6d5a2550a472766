package io.famfsrocks.cli.rocks;

import io.famfsrocks.cli.CliException;
import io.famfsrocks.cli.ExitCode;
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
    private final boolean bar;
    private final boolean lines;
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile FamfsPublisher publisher;
    private volatile boolean stopping;

    SstFollow(PrintWriter out, PrintWriter err, boolean bar, boolean lines) {
        this.out = out;
        this.err = err;
        this.bar = bar;
        this.lines = lines;
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
            out.printf("following %s: published version %d of dataset %s; copied %d SSTs (%s), reused %d; "
                    + "SIGTERM or Ctrl-C stops%n", db, m.lastVersion(), dataset, m.sstsCopied(),
                    Sizes.human(m.bytesCopied()), m.sstsReused());
            out.flush();
            follow(p);
            m = p.metrics();
            if (m.stopped()) {
                throw SstPublishCommand.failure(m);
            }
            out.printf("stopped following %s: dataset %s is at version %d (sequence %d); %d versions published, "
                    + "%d SSTs copied (%s)%n", db, dataset, m.lastVersion(), m.lastSequence(), m.versionsPublished(),
                    m.sstsCopied(), Sizes.human(m.bytesCopied()));
            out.flush();
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

    /** Until the publisher is closed (by the hook) or stops: a status line when a new version is published. */
    private void follow(FamfsPublisher p) {
        long shown = p.metrics().lastVersion();
        long lastLine = 0;
        while (!p.isClosed() && !p.metrics().stopped()) {
            try {
                Thread.sleep(bar ? 100 : 50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            PublisherMetrics m = p.metrics();
            long now = System.nanoTime();
            if (m.lastVersion() != shown && (bar || (lines && now - lastLine >= 1_000_000_000L))) {
                shown = m.lastVersion();
                lastLine = now;
                String s = String.format(Locale.ROOT, "sst-publish: version %d (sequence %d), %d SSTs copied (%s), "
                        + "flush to publish p50 %d ms, p99 %d ms", m.lastVersion(), m.lastSequence(), m.sstsCopied(),
                        Sizes.human(m.bytesCopied()), m.lagP50Ms(), m.lagP99Ms());
                err.print(bar ? "\r" + s + "   " : s + "\n");
                err.flush();
            }
        }
        if (bar) {
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
