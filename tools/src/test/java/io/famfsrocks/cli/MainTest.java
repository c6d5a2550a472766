package io.famfsrocks.cli;

import io.famfsrocks.famfs.fs.OpenOptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The tool as a whole: help, version, completion, usage errors, --verbose, mount and umount. */
class MainTest extends CliTestBase {
    private static final List<String> VERBS = List.of("mkfs", "mount", "umount", "logplay", "creat", "cp", "mkdir",
            "ls", "stat", "df", "fsck", "getmap", "verify", "completion");

    @Test
    void everyVerbHasHelpWithExamples() {
        for (String v : VERBS) {
            Result r = run(v, "--help").expect(ExitCode.OK);
            assertThat(r.out()).as(v).contains("Usage: famfs-rocks " + v, "Examples:", "--system-uuid");
        }
        // picocli wraps lines of 80 or more mid-sentence; keep every footer line shorter
        Main.commandLine(context()).getSubcommands().forEach((name, sub) ->
                assertThat(sub.getCommandSpec().usageMessage().footer()).as(name).allMatch(l -> l.length() < 80));
        assertThat(run("--help").expect(ExitCode.OK).out()).contains("Exit codes:", "7     NOT_MASTER", "130   INTERRUPTED", "mkfs", "verify");
    }

    @Test
    void helpVerbShowsAVerbsHelp() {
        assertThat(run("help", "creat").expect(ExitCode.OK).out()).contains("Usage: famfs-rocks creat");
    }

    @Test
    void versionNamesTheFormat() {
        assertThat(run("--version").expect(ExitCode.OK).out()).contains("famfs-rocks ", "format version 48");
    }

    @Test
    void completionScriptCoversTheVerbs() {
        String s = run("completion").expect(ExitCode.OK).out();
        assertThat(s).contains("complete -F", "famfs-rocks", "getmap", "--system-uuid");
    }

    @Test
    void usageErrorsAreOneLinePlusAHint() {
        Result r = run("ls", "--bogus").expect(ExitCode.USAGE);
        assertThat(r.err()).startsWith("famfs-rocks: Unknown option: '--bogus'").contains("try 'famfs-rocks ls --help'");
        run("frobnicate").expect(ExitCode.USAGE);
        run().expect(ExitCode.USAGE);
        assertThat(run("ls", "--system-uuid", "not-a-uuid", "--device", "/dev/null").expect(ExitCode.USAGE).err())
                .contains("bad system UUID");
    }

    @Test
    void verboseAddsTheStackTrace() {
        assertThat(client("ls", "--device", d()).expect(ExitCode.NOT_FOUND).err()).doesNotContain("\tat ");
        assertThat(client("ls", "--verbose", "--device", d()).expect(ExitCode.NOT_FOUND).err())
                .contains("\tat io.famfsrocks");
    }

    @Test
    void mountGoesThroughTheSeamWithCanonicalPaths() throws Exception {
        mkfs();
        Path mp = Files.createTempDirectory("famfs-mp");
        try {
            List<String> calls = new ArrayList<>();
            mounter = (Path device, Path mountPoint, boolean fg, boolean ro, OpenOptions o) ->
                    calls.add(device + " " + mountPoint + " " + fg + " " + ro + " " + o.systemUuid());
            master("mount", "-r", d(), mp.toString()).expect(ExitCode.OK);
            assertThat(calls).containsExactly(dev + " " + mp.toRealPath() + " false true " + MASTER);
            master("mount", d(), "/no/such/dir").expect(ExitCode.NOT_FOUND);
            master("mount", "/dev/shm/no-such-famfs", mp.toString()).expect(ExitCode.NOT_FOUND);
            mountLines = List.of("famfs:" + dev + " /mnt/elsewhere fuse.famfs rw 0 0");
            master("mount", d(), mp.toString()).expect(ExitCode.BUSY);
        } finally {
            Files.delete(mp);
        }
    }

    @Test
    void umountRefusesWhatIsNotAFamfsMount() {
        assertThat(run("umount", "/tmp").expect(ExitCode.NOT_FAMFS).err()).contains("not a famfs mount point");
        mountLines = List.of("famfs:/dev/shm/x /nonexistent-famfs-mp fuse.famfs rw 0 0");
        run("umount", "/nonexistent-famfs-mp").expect(ExitCode.IO); // fusermount fails: nothing is mounted there
        run("umount").expect(ExitCode.USAGE);
    }
}
