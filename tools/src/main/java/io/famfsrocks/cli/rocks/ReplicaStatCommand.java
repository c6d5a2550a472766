package io.famfsrocks.cli.rocks;

import io.famfsrocks.cli.ExitCode;
import io.famfsrocks.cli.Json;
import io.famfsrocks.cli.JsonOption;
import io.famfsrocks.cli.Sizes;
import io.famfsrocks.cli.Verb;
import io.famfsrocks.rocks.journal.JournalRecord;
import io.famfsrocks.rocks.journal.SstEntry;
import io.famfsrocks.rocks.replica.EpochStatus;
import io.famfsrocks.rocks.replica.Freshness;
import io.famfsrocks.rocks.replica.ReplicaConfig;
import io.famfsrocks.rocks.replica.ReplicaIterator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Instant;

/** {@code replica stat}: which version a replica on this host opens, and what it holds. */
@Command(name = "stat", description = "Open the dataset as a replica and report its version, SSTs and freshness.",
        footer = {"", "Examples:", "  famfs-rocks replica stat --dataset db1 --device /dev/shm/famfs0",
                "  famfs-rocks replica stat --dataset db1 --mount /mnt/famfs --count --json",
                "  famfs-rocks replica stat --dataset db1 -D /dev/shm/p0 -D /dev/shm/p1"})
public final class ReplicaStatCommand extends Verb {
    @Mixin
    ReplicaOptions where;

    @Mixin
    JsonOption jsonOption;

    @Option(names = "--count", description = "Also count the keys (a full scan).")
    boolean count;

    /** What stat reports: freshness, the applied version's record, SSTs, keys (-1: not counted), the epoch. */
    private record Stat(Freshness f, JournalRecord.Version v, long ssts, long bytes, long keys, EpochStatus e) {
    }

    @Override
    protected ExitCode run() throws Exception {
        try (ReplicaSession s = ReplicaSession.open(where, context.defaultDevice(), openOptions(),
                ReplicaSession.ONE_SHOT, false)) {
            Freshness f = s.replica().freshness();
            JournalRecord.Version v = s.replica().appliedVersion();
            long ssts = v == null ? -1 : v.ssts().size();
            long bytes = 0;
            if (v != null) {
                for (SstEntry e : v.ssts()) {
                    bytes += e.size();
                }
            }
            Stat stat = new Stat(f, v, ssts, bytes, count ? countKeys(s) : -1, s.replica().epochStatus());
            if (jsonOption.json()) {
                printJson(stat);
            } else {
                printText(stat);
            }
        }
        return ExitCode.OK;
    }

    private static long countKeys(ReplicaSession s) {
        long keys = 0;
        try (ReplicaIterator it = s.replica().newIterator()) {
            it.seekToFirst();
            for (int n; (n = it.nextBatch(4096).size()) > 0; ) { // each batch checked against a reused epoch
                keys += n;
            }
        }
        return keys;
    }

    private void printJson(Stat st) {
        Freshness f = st.f();
        Json.Obj o = Json.obj().put("dataset", where.dataset).put("version", f.appliedVersion())
                .put("sequence", f.sequence()).put("published_at_ms", f.publishedAtMs())
                .put("newest_version", f.newestVersion()).put("lag_ms", f.lagMs()).put("current", f.current())
                .put("read_sequence", f.readSequence()).put("primary_sequence", f.primarySequence())
                .put("sequences_behind", f.sequencesBehind()).put("wal_shipping", f.walShipping())
                .put("ssts", st.ssts()).put("sst_bytes", st.bytes()).put("epoch", st.e().epoch());
        if (count) {
            o.put("keys", st.keys());
        }
        if (f.problem() != null) {
            o.put("problem", f.problem());
        }
        out().println(Json.write(o));
    }

    private void printText(Stat st) {
        Freshness f = st.f();
        out().println("dataset:        " + where.dataset);
        out().println("version:        " + f.appliedVersion() + " of " + f.newestVersion()
                + (f.current() ? " (current)" : " (behind)"));
        out().println("sequence:       " + f.sequence());
        if (f.walShipping()) {
            out().println("reads reflect:  sequence " + f.readSequence() + " of the primary's " + f.primarySequence()
                    + (f.sequencesBehind() == 0 ? " (all acknowledged writes)" : " (" + f.sequencesBehind() + " behind)"));
        } else {
            out().println("reads reflect:  sequence " + f.readSequence() + " (flushed writes only: the dataset ships no WAL,"
                    + " the primary's latest is unknown)");
        }
        if (st.e().epoch() > 0) {
            out().println("epoch:          " + st.e().epoch() + " (ack slot " + st.e().slot() + ")");
        }
        out().println("published at:   " + Instant.ofEpochMilli(f.publishedAtMs()));
        out().println("lag:            " + f.lagMs() + " ms");
        if (st.v() != null) {
            out().println("SSTs:           " + st.ssts() + " (" + Sizes.human(st.bytes()) + ", " + st.bytes() + " bytes)");
            out().println("options:        " + st.v().optionsName());
        }
        if (count) {
            out().println("keys:           " + st.keys());
        }
        if (f.problem() != null) {
            out().println("problem:        " + f.problem());
        }
    }
}
