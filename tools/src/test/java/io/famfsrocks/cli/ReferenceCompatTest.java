package io.famfsrocks.cli;

import io.famfsrocks.famfs.format.FamfsLayout;
import io.famfsrocks.famfs.format.LogEntry;
import io.famfsrocks.famfs.fs.FamfsFile;
import io.famfsrocks.famfs.fs.MasterVolume;
import io.famfsrocks.famfs.fs.Node;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** What the reference famfs CLI does that ours now does too (issue 16, items 2 and 3). */
class ReferenceCompatTest extends CliTestBase {
    @TempDir
    Path tmp;

    private Path hostFile(String name, int size, long seed) throws Exception {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        Path p = tmp.resolve(name);
        Files.write(p, b);
        return p;
    }

    private int mode(String path) {
        try (MasterVolume v = openMaster()) {
            return v.stat(path).mode();
        }
    }

    private byte[] famfsBytes(String path) {
        try (MasterVolume v = openMaster()) {
            FamfsFile f = v.openFile(path);
            ByteBuffer b = ByteBuffer.allocate((int) f.size());
            f.read(0, b);
            return b.array();
        }
    }

    /**
     * Reference behaviour: its creat logs {@code names//double} verbatim and its logplay reads
     * it as {@code names/double}; so do ls, logplay and fsck here (fsck warns, exits 0).
     */
    @Test
    void referenceSpelledPathsAreReadByEveryVerb() throws Exception {
        mkfs();
        master("mkdir", "--device", d(), "names").expect(ExitCode.OK);
        master("creat", "-s", "1m", "--device", d(), "names/one").expect(ExitCode.OK);
        master("creat", "-s", "1m", "--device", d(), "names/later").expect(ExitCode.OK);
        LogEntry.FileEntry one;
        try (MasterVolume v = openMaster()) {
            one = ((Node.File) v.lookup("names/one")).entry();
        }
        ByteBuffer b = ByteBuffer.allocate(LogEntry.SIZE);
        LogEntry.encode(new LogEntry.FileEntry(one.size(), one.flags(), one.uid(), one.gid(), one.mode(),
                "names//double", one.layout()), 1, b);
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(dev.toFile(), "rw")) {
            f.seek(FamfsLayout.logEntryOffset(1));
            f.write(b.array());
        }
        assertThat(client("ls", "--device", d(), "names").expect(ExitCode.OK).out())
                .contains("double", "later").doesNotContain("one");
        assertThat(client("logplay", "-n", d()).expect(ExitCode.OK).out()).contains("names/double");
        assertThat(client("fsck", d()).expect(ExitCode.OK).out()).contains(
                "warning: entry 1 'names//double': path has empty or '.' components", "read as 'names/double'",
                "is clean");
    }

    /** Reference behaviour: {@code umask 077; creat -m 0666} logs 0600; cp masks -m too; mkdir does not. */
    @Test
    void theUmaskMasksCreatAndCpModesButNotMkdirAsInTheReference() throws Exception {
        mkfs();
        umask = 077;
        master("creat", "-s", "1m", "-m", "0666", "--device", d(), "explicit").expect(ExitCode.OK);
        master("creat", "-s", "1m", "--device", d(), "default").expect(ExitCode.OK);
        master("mkdir", "-m", "0777", "--device", d(), "dir").expect(ExitCode.OK);
        Path src = hostFile("src", 4096, 1);
        Files.setPosixFilePermissions(src, PosixFilePermissions.fromString("rw-rw-rw-"));
        master("cp", "-m", "0666", "--device", d(), src.toString(), "cp-explicit").expect(ExitCode.OK);
        master("cp", "--device", d(), src.toString(), "cp-source").expect(ExitCode.OK);
        assertThat(mode("explicit")).isEqualTo(0600);
        assertThat(mode("default")).isEqualTo(0600); // the reference masks its 0644 default too
        assertThat(mode("dir")).isEqualTo(0777);
        assertThat(mode("cp-explicit")).isEqualTo(0600);
        assertThat(mode("cp-source")).isEqualTo(0666); // the source's mode is kept, unmasked, as there
    }

    /** The real umask of a process: a child JVM started under {@code umask 027}. */
    @Test
    void theProcessUmaskIsReadFromTheSystem() throws Exception {
        mkfs();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", "umask 027; exec \"$0\" -cp \"$1\" io.famfsrocks.cli.Main"
                + " creat --system-uuid " + MASTER + " -s 1m -m 0666 --device \"$2\" child",
                java, System.getProperty("java.class.path"), d()).redirectErrorStream(true);
        pb.environment().remove("FAMFS_DEVICE");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(mode("child")).isEqualTo(0640);
        assertThat(Umask.parseStatus(List.of("Name:\tjava", "Umask:\t0027", "State:\tR"))).isEqualTo(027);
        assertThat(Umask.current()).isEqualTo(Umask.fromShell()); // /proc and sh agree on this JVM's umask
    }

    /** Reference behaviour: {@code creat -M NAME,SIZE[,SEED]} repeated, with its two summary lines. */
    @Test
    void creatMultiCreatesSeveralFilesInOneCall() {
        mkfs();
        master("creat", "-s", "2m", "--device", d(), "there").expect(ExitCode.OK);
        String out = master("creat", "--device", d(), "-M", "a,1m", "-M", "b,3m,42", "-M", "there,2m")
                .expect(ExitCode.OK).out();
        assertThat(out).contains("created /a (1048576 bytes)", "created /b (3145728 bytes)",
                "Create complete for 2 of 3 files with 0 errs", "randomized 3145728 bytes: /b (seed 42)",
                "Randomize complete for 1 of 3 files with 0 errs");
        master("verify", "-S", "42", "--device", d(), "b").expect(ExitCode.OK);
        try (MasterVolume v = openMaster()) {
            assertThat(((Node.File) v.stat("a")).size()).isEqualTo(1 << 20);
        }
        // a failure does not stop the others; the exit code is the failure's
        Result r = master("creat", "--device", d(), "-M", "there,1m", "-M", "c,1m");
        r.expect(ExitCode.EXISTS);
        assertThat(r.out()).contains("created /c", "Create complete for 1 of 2 files with 1 errs");
        master("creat", "--device", d(), "-M", "x", "-M", "c,1m").expect(ExitCode.USAGE);
        master("creat", "--device", d(), "-M", "y,1m", "z").expect(ExitCode.USAGE);
        master("creat", "--device", d()).expect(ExitCode.USAGE);
    }

    /** Reference behaviour: cp takes -N -B -C as creat does, and stripes every file it copies. */
    @Test
    void cpStripesLikeCreat() throws Exception {
        master("mkfs", "--size", "4g", d()).expect(ExitCode.OK);
        Path src = hostFile("big", 9 << 20, 2);
        master("cp", "-N", "2", "-B", "4", "-C", "2m", "--device", d(), src.toString(), "striped").expect(ExitCode.OK);
        assertThat(famfsBytes("striped")).isEqualTo(Files.readAllBytes(src));
        try (MasterVolume v = openMaster()) {
            var map = ((Node.File) v.stat("striped")).map();
            assertThat(map.interleaved()).isTrue();
            assertThat(map.chunkSize()).isEqualTo(2 << 20);
            assertThat(map.extents()).hasSize(2);
        }
        master("cp", "-N", "2", "--device", d(), src.toString(), "half").expect(ExitCode.USAGE); // -N needs -B
    }

    /** Reference behaviour: cp onto an existing file of the same size succeeds; ours when the bytes match. */
    @Test
    void cpOntoTheSameBytesSucceedsAndWritesNothing() throws Exception {
        mkfs();
        Path src = hostFile("f", 3_000_000, 3);
        master("cp", "--device", d(), src.toString(), "f").expect(ExitCode.OK);
        long entries;
        try (MasterVolume v = openMaster()) {
            entries = v.appliedEntries();
        }
        master("cp", "--device", d(), src.toString(), "f").expect(ExitCode.OK);
        Path other = hostFile("g", 3_000_000, 4);
        assertThat(master("cp", "--device", d(), other.toString(), "f").expect(ExitCode.EXISTS).err())
                .contains("same size but other bytes");
        Path shorter = hostFile("h", 2_000_000, 3);
        master("cp", "--device", d(), shorter.toString(), "f").expect(ExitCode.EXISTS);
        assertThat(famfsBytes("f")).isEqualTo(Files.readAllBytes(src));
        try (MasterVolume v = openMaster()) {
            assertThat(v.appliedEntries()).isEqualTo(entries);
        }
    }
}
