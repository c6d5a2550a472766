package io.famfsrocks.cli;

import picocli.AutoComplete;
import picocli.CommandLine.Command;

/** {@code completion}: print the bash/zsh completion script. */
@Command(name = "completion", description = "Print a bash (and zsh) completion script for famfs-rocks.",
        footer = {"", "Examples:",
                "  source <(./famfs-rocks completion)                        # this shell",
                "  ./famfs-rocks completion > /etc/bash_completion.d/famfs-rocks"})
public final class CompletionCommand extends Verb {
    @Override
    protected ExitCode run() {
        out().print(AutoComplete.bash(Main.NAME, spec.root().commandLine()));
        return ExitCode.OK;
    }
}
