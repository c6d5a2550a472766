/**
 * The {@code famfs-rocks} command-line tool: one picocli class per verb, glue only. Each
 * verb parses its arguments, finds the volume ({@link io.famfsrocks.cli.Target}), calls the
 * engine in {@code io.famfsrocks.famfs.fs} and prints the result for people or, with
 * {@code --json}, for scripts.
 *
 * <p>Errors: the engine throws {@link io.famfsrocks.famfs.FamfsException}; the CLI throws
 * {@link io.famfsrocks.cli.CliException} for its own. {@link io.famfsrocks.cli.Main} turns
 * either into one line on stderr and an {@link io.famfsrocks.cli.ExitCode}, the only
 * place where exit codes are decided.
 *
 * <p>JSON is written by the tiny {@link io.famfsrocks.cli.Json} writer rather than
 * Jackson: the output is a handful of flat objects and lists, and a 100-line writer keeps
 * the launcher jar and its start-up free of a databind stack.
 *
 * <p>Depends on: {@code io.famfsrocks.famfs.fs} and {@code io.famfsrocks.famfs.fuse} (the
 * engine's API, never the packages below them), picocli. {@link io.famfsrocks.cli.Main}
 * names the verbs of {@code cli.rocks} as subcommands, and those extend {@link
 * io.famfsrocks.cli.Verb}: the CLI is one unit. Nothing outside the CLI depends on it.
 * Commands are not thread-safe (one instance per invocation).
 */
package io.famfsrocks.cli;
