package io.famfsrocks.cli.rocks;

import io.famfsrocks.cli.CliException;
import io.famfsrocks.cli.ExitCode;
import io.famfsrocks.cli.Verb;
import io.famfsrocks.cli.serve.ReplicaReads;
import io.famfsrocks.rocks.replica.ReplicaConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.List;

/** {@code replica scan}: a range of keys from the newest published version. */
@Command(name = "scan", description = "Print up to LIMIT key<TAB>value lines from the first key >= FROM.",
        footer = {"", "Examples:", "  famfs-rocks replica scan --dataset db1 --device /dev/shm/famfs0 --limit 5",
                "  famfs-rocks replica scan --dataset db1 --mount /mnt/famfs --from key-0001 \\",
                "      --limit 100"})
public final class ReplicaScanCommand extends Verb {
    static final int MAX_LIMIT = 1_000_000;

    @Mixin
    ReplicaOptions where;

    @Option(names = "--from", paramLabel = "KEY", defaultValue = "", description = "First key (default: the first).")
    String from;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "100", description = "At most N pairs (default 100).")
    int limit;

    @Option(names = "--enc", paramLabel = "ENC", defaultValue = "utf8",
            description = "How FROM and the printed keys and values are written: utf8, hex or base64.")
    KeyEncoding enc;

    @Override
    protected ExitCode run() throws Exception {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new CliException(ExitCode.USAGE, "--limit must be from 1 to " + MAX_LIMIT + ", got " + limit);
        }
        byte[] f = enc.decode(from);
        try (ReplicaSession s = ReplicaSession.open(where, context.defaultDevice(), openOptions(),
                ReplicaSession.ONE_SHOT, false)) {
            List<ReplicaReads.KeyValue> rows = new FamfsReplicaReads(where.dataset, s.volume(), s::replica).scan(f, null, limit, false);
            for (ReplicaReads.KeyValue kv : rows) {
                out().println(enc.encode(kv.key()) + "\t" + enc.encode(kv.value()));
            }
        }
        return ExitCode.OK;
    }
}
