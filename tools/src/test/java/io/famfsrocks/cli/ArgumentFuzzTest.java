package io.famfsrocks.cli;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.famfsrocks.famfs.device.MemoryDevice;
import io.famfsrocks.famfs.fs.CreateOptions;
import io.famfsrocks.famfs.fs.Famfs;
import io.famfsrocks.famfs.fs.MasterVolume;
import io.famfsrocks.famfs.fs.Mkfs;
import io.famfsrocks.famfs.fs.OpenOptions;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Coverage-guided fuzzing (Jazzer) of the CLI's argument handling: a verb that cannot
 * harm the machine, the test volume, then fuzzed options and operands. Every run must
 * end with a code from the documented table (never INTERNAL) and one-line errors without
 * a stack trace. Verbs that make or mount file systems are left out: fuzzed operands
 * would name arbitrary host paths.
 */
class ArgumentFuzzTest {
    static final String[] VERBS = {"ls", "stat", "df", "fsck", "getmap", "logplay", "verify", "creat", "mkdir", "cp", "help",
        "completion", "bogus"};
    static final String[] TOKENS = {"-s", "-m", "-u", "-g", "-p", "-r", "-S", "-N", "-B", "-C", "-h", "-v", "-n", "-f",
        "--json", "--verbose", "--help", "--", "1k", "4m", "0", "-1", "99999999999999999999t", "0755", "9z", "a", "a/b",
        "/a", "..", "x/../y", "", "\u0000", "f0", "d0/f1", "/dev/shm/nope"};
    static final Set<Integer> CODES = Arrays.stream(ExitCode.values()).map(ExitCode::code).collect(Collectors.toSet());
    static final String MASTER = "0f0f0f0f-1111-2222-3333-444444444444"; // fixed: same volume every run
    static Path device;
    /** A line of a Java stack trace ("\tat pkg.Class.method(File.java:1)"), not a fuzzed operand echoed back. */
    static final java.util.regex.Pattern STACK_FRAME =
            java.util.regex.Pattern.compile("(?m)^\\tat [\\w$./]+\\([\\w$.]*(:\\d+)?\\)$");

    static synchronized Path device() throws Exception {
        if (device == null) {
            device = Path.of("/dev/shm", "famfs-argfuzz-" + ProcessHandle.current().pid());
            Files.deleteIfExists(device);
            MemoryDevice.createFile(device, 1L << 30);
            device.toFile().deleteOnExit();
            Mkfs.format(device, Mkfs.Options.defaults().withSystemUuid(MASTER));
            try (MasterVolume v = Famfs.openMaster(device, OpenOptions.defaults().withSystemUuid(MASTER))) {
                v.mkdir("d0", CreateOptions.dir());
                v.create("f0", 4096, CreateOptions.file());
                v.create("d0/f1", 1 << 20, CreateOptions.file());
            }
        }
        return device;
    }

    @FuzzTest(maxDuration = "10m", maxExecutions = 2_000)
    void everyInvocationEndsWithADocumentedCode(FuzzedDataProvider data) throws Exception {
        List<String> args = new ArrayList<>();
        args.add(data.pickValue(VERBS));
        args.add("--device");
        args.add(device().toString());
        args.add("--system-uuid");
        args.add(data.consumeBoolean() ? MASTER : "c1c1c1c1-5555-6666-7777-888888888888");
        int n = data.consumeInt(0, 6);
        for (int i = 0; i < n; i++) {
            args.add(data.consumeBoolean() ? data.pickValue(TOKENS) : data.consumeString(12));
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(Context.system(), new PrintWriter(out), new PrintWriter(err), args.toArray(String[]::new));
        String e = err.toString();
        if (!CODES.contains(code) || code == ExitCode.INTERNAL.code()) {
            throw new AssertionError("exit " + code + " for " + args + ": " + e);
        }
        if (!args.contains("--verbose") && STACK_FRAME.matcher(e).find()) {
            throw new AssertionError("stack trace without --verbose for " + args + ": " + e);
        }
    }
}
