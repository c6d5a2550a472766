package io.famfsrocks.rocks.replica;

import io.famfsrocks.rocks.journal.JournalRecord;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * What a replica knows about itself: the version it shows, the newest one published, the
 * one it is trying to reach, the problem in the way, and its counters. Written by the
 * follower thread, read by anyone: the versions and the problem are volatile, the counters
 * change under this object's monitor. Thread-safe.
 */
final class ReplicaHealth {
    private final List<Consumer<Freshness>> listeners = new CopyOnWriteArrayList<>();
    private volatile JournalRecord.Version applied;
    /** The epoch {@link #applied} belongs to: version numbers may start again in a new epoch's journal. */
    private volatile long appliedEpoch;
    private volatile long appliedAtMs;
    private volatile JournalRecord.Version newest;
    private volatile JournalRecord.Version pendingTarget;
    private volatile String problem;
    private volatile long lastSwitchMicros;
    private long versionsApplied;
    private long catchUps;
    private long reopens;
    private long stuckDetected;

    void addListener(Consumer<Freshness> l) {
        listeners.add(l);
    }

    JournalRecord.Version applied() {
        return applied;
    }

    JournalRecord.Version pendingTarget() {
        return pendingTarget;
    }

    void pending(JournalRecord.Version target) {
        pendingTarget = target;
    }

    void newest(JournalRecord.Version v) {
        newest = v;
    }

    void problem(String p) {
        problem = p;
    }

    void switchTook(long micros) {
        lastSwitchMicros = micros;
    }

    synchronized void caughtUp() {
        catchUps++;
    }

    /** A catch-up could not show the version: why first, then the count, so a reader of one sees the other. */
    void stuck(String why) {
        if (why != null) {
            problem = why;
        }
        synchronized (this) {
            stuckDetected++;
        }
    }

    synchronized void reopened() {
        reopens++;
    }

    /** The replica now shows {@code target} of {@code epoch}; refuses to go back to an older epoch or version. */
    void applied(long epoch, JournalRecord.Version target) {
        JournalRecord.Version a = applied;
        if (epoch < appliedEpoch || (a != null && epoch == appliedEpoch && target.version() < a.version())) {
            throw new IllegalStateException("refusing to go back from version " + (a == null ? 0 : a.version())
                    + " of epoch " + appliedEpoch + " to version " + target.version() + " of epoch " + epoch);
        }
        appliedEpoch = epoch;
        applied = target;
        appliedAtMs = System.currentTimeMillis();
        pendingTarget = null;
        problem = null;
        synchronized (this) {
            versionsApplied++;
        }
    }

    /** Tells the listeners (from the follower thread, after a switch). */
    void notifyListeners() {
        Freshness f = freshness();
        for (Consumer<Freshness> l : listeners) {
            l.accept(f);
        }
    }

    Freshness freshness() {
        JournalRecord.Version a = applied;
        JournalRecord.Version n = newest;
        long now = System.currentTimeMillis();
        String p = problem;
        boolean behind = n != null && a != null && n.version() > a.version();
        long lag;
        if (a == null) {
            lag = n == null ? 0 : now - n.publishedAtMs();
        } else if (behind) {
            JournalRecord.Version t = pendingTarget;
            lag = now - (t != null ? t.publishedAtMs() : a.publishedAtMs());
        } else {
            lag = p == null ? 0 : now - a.publishedAtMs();
        }
        return new Freshness(a == null ? 0 : a.version(), a == null ? 0 : a.sequence(),
                a == null ? 0 : a.publishedAtMs(), appliedAtMs, n == null ? 0 : n.version(), lag,
                a != null && !behind && p == null, p,
                a == null ? 0 : a.sequence(), -1, false, a != null && !behind && p == null);
    }

    synchronized ReplicaStats stats(long readAheadBytes) {
        return new ReplicaStats(versionsApplied, catchUps, reopens, stuckDetected, lastSwitchMicros, readAheadBytes);
    }
}
