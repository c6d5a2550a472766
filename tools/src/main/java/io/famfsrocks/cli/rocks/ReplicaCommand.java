package io.famfsrocks.cli.rocks;

import io.famfsrocks.cli.ExitCode;
import io.famfsrocks.cli.Verb;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code replica}: the parent of the replica verbs. */
@Command(name = "replica", description = "Read a published dataset on this host: get, scan, stat, or serve it over HTTP.",
        subcommands = {ReplicaGetCommand.class, ReplicaScanCommand.class, ReplicaStatCommand.class,
                ReplicaServeCommand.class},
        footer = {"", "Examples:",
                "  famfs-rocks replica get --dataset db1 --device /dev/shm/famfs0 key-00000042",
                "  famfs-rocks replica scan --dataset db1 --mount /mnt/famfs --limit 10",
                "  famfs-rocks replica stat --dataset db1 --device /dev/shm/famfs0",
                "  famfs-rocks replica serve --dataset db1 --device /dev/shm/famfs0 --port 8080"})
public final class ReplicaCommand extends Verb {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec self;

    @Override
    protected ExitCode run() {
        throw new CommandLine.ParameterException(self.commandLine(), "missing replica verb: get, scan, stat or serve");
    }
}
