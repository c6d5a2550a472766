package io.famfsrocks.cli;

import io.famfsrocks.famfs.FamfsException;
import io.famfsrocks.famfs.fs.FormatInfo;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Properties;

/**
 * The {@code famfs-rocks} launcher's entry point. Builds the command tree and decides
 * every exit code: parse errors are {@link ExitCode#USAGE}, engine errors map through
 * {@link ExitCode#of}, anything else is {@link ExitCode#INTERNAL}. Errors are one line on
 * stderr ({@code famfs-rocks: <message>}); {@code --verbose} adds the stack trace.
 */
@Command(name = Main.NAME, mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Share files through famfs on shared (CXL) memory: make, mount, fill and check "
                + "famfs volumes.", ""},
        synopsisSubcommandLabel = "VERB",
        subcommands = {MkfsCommand.class, MountCommand.class, UmountCommand.class, LogplayCommand.class,
                CreatCommand.class, CpCommand.class, MkdirCommand.class, LsCommand.class, StatCommand.class,
                DfCommand.class, FsckCommand.class, GetmapCommand.class, VerifyCommand.class,
                CompletionCommand.class, io.famfsrocks.cli.rocks.SstPublishCommand.class,
                io.famfsrocks.cli.rocks.ReplicaCommand.class, io.famfsrocks.cli.rocks.DemoCommand.class,
                io.famfsrocks.cli.rocks.DemoHostCommand.class, io.famfsrocks.cli.rocks.RotateCommand.class,
                CommandLine.HelpCommand.class},
        footer = {"", "Paths: inside a mounted famfs, or relative to the volume root with",
                "--device DEVICE (or $FAMFS_DEVICE). 'famfs-rocks help VERB' shows a verb's",
                "options and examples."})
public final class Main implements Runnable {
    public static final String NAME = "famfs-rocks";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing VERB");
    }

    public static void main(String[] args) {
        System.exit(run(Context.system(), new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs one invocation; returns the exit code. */
    public static int run(Context ctx, PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = commandLine(ctx);
        cl.setOut(out);
        cl.setErr(err);
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /** The command tree, with {@code ctx} given to every verb. */
    public static CommandLine commandLine(Context ctx) {
        CommandLine.IFactory defaults = CommandLine.defaultFactory();
        CommandLine cl = new CommandLine(new Main(), new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> cls) throws Exception {
                K k = defaults.create(cls);
                if (k instanceof Verb v) {
                    v.context = ctx;
                }
                return k;
            }
        });
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionExceptionHandler(Main::onError);
        cl.setParameterExceptionHandler(Main::onUsageError);
        cl.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n");
        cl.getCommandSpec().usageMessage().exitCodeList(exitCodeTable());
        return cl;
    }

    static java.util.Map<String, String> exitCodeTable() {
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
        for (ExitCode c : ExitCode.values()) {
            m.put(Integer.toString(c.code()), c.name() + ": " + c.meaning());
        }
        return m;
    }

    private static int onError(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        ExitCode code;
        if (e instanceof FamfsException fe) {
            code = ExitCode.of(fe.kind());
        } else if (e instanceof CliException ce) {
            code = ce.code();
        } else if (e instanceof java.nio.file.InvalidPathException) {
            code = ExitCode.USAGE; // a host path the OS cannot name (e.g. with NUL); found by ArgumentFuzzTest
        } else if (e instanceof java.nio.file.NoSuchFileException) {
            code = ExitCode.NOT_FOUND;
        } else if (e instanceof java.nio.file.FileAlreadyExistsException) {
            code = ExitCode.EXISTS;
        } else if (e instanceof java.io.IOException) {
            code = ExitCode.IO;
        } else {
            code = ExitCode.INTERNAL;
        }
        PrintWriter err = cl.getErr();
        String msg = e.getMessage() == null ? e.toString() : e.getMessage();
        if (e instanceof java.nio.file.InvalidPathException ip) {
            msg = "bad path: " + ip.getReason() + " in '" + ip.getInput().replace("\0", "\\0") + "'";
        }
        err.println(NAME + ": " + (code == ExitCode.INTERNAL ? "internal error: " + e : msg));
        boolean verbose = cl.getCommand() instanceof Verb v && v.verbose();
        if (verbose) {
            e.printStackTrace(err);
        } else if (code == ExitCode.INTERNAL) {
            err.println(NAME + ": run again with --verbose for the stack trace");
        }
        err.flush();
        return code.code();
    }

    private static int onUsageError(CommandLine.ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        PrintWriter err = cl.getErr();
        err.println(NAME + ": " + e.getMessage());
        String verb = cl.getCommandName().equals(NAME) ? NAME : NAME + " " + cl.getCommandName();
        err.println(NAME + ": try '" + verb + " --help'");
        err.flush();
        return ExitCode.USAGE.code();
    }

    /** {@code --version}: the build's version and the famfs format it writes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws Exception {
            Properties p = new Properties();
            try (InputStream in = Main.class.getResourceAsStream("/famfs-rocks-version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            }
            return new String[] {NAME + " " + p.getProperty("version", "unknown"),
                    "famfs on-media format version " + FormatInfo.VERSION
                            + " (OMF " + FormatInfo.OMF_MAJOR + "." + FormatInfo.OMF_MINOR + ")",
                    "Java " + System.getProperty("java.version")};
        }
    }
}
