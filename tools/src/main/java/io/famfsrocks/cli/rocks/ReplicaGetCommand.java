package io.famfsrocks.cli.rocks;

import io.famfsrocks.cli.CliException;
import io.famfsrocks.cli.ExitCode;
import io.famfsrocks.cli.Verb;
import io.famfsrocks.rocks.replica.ReplicaConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code replica get}: one key from the newest published version. */
@Command(name = "get", description = "Print the value of KEY in the newest published version (exit 3 if absent).",
        footer = {"", "Examples:", "  famfs-rocks replica get --dataset db1 --device /dev/shm/famfs0 key-00000042",
                "  famfs-rocks replica get --dataset db1 --mount /mnt/famfs --enc hex 6b6579"})
public final class ReplicaGetCommand extends Verb {
    @Mixin
    ReplicaOptions where;

    @Option(names = "--enc", paramLabel = "ENC", defaultValue = "utf8",
            description = "How KEY and the printed value are written: utf8, hex or base64 (default utf8).")
    KeyEncoding enc;

    @Parameters(index = "0", paramLabel = "KEY")
    String key;

    @Override
    protected ExitCode run() throws Exception {
        byte[] k = enc.decode(key);
        try (ReplicaSession s = ReplicaSession.open(where, context.defaultDevice(), openOptions(),
                ReplicaSession.ONE_SHOT, false)) {
            byte[] v = s.replica().get(k);
            if (v == null) {
                throw new CliException(ExitCode.NOT_FOUND, "key '" + key + "' is not in dataset " + where.dataset
                        + " (version " + s.replica().freshness().appliedVersion() + ")");
            }
            out().println(enc.encode(v));
        }
        return ExitCode.OK;
    }
}
