package io.famfsrocks.cli;

import picocli.CommandLine.Option;

/** {@code --json}: machine-readable output on stdout. */
public final class JsonOption {
    @Option(names = "--json", description = "Print JSON for scripts instead of text.")
    boolean json;

    public boolean json() {
        return json;
    }
}
