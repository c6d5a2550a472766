package io.famfsrocks.cli;

import io.famfsrocks.famfs.fs.FamfsFile;
import io.famfsrocks.famfs.fs.MasterVolume;
import io.famfsrocks.famfs.fs.Node;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class CpCommandTest extends CliTestBase {
    @TempDir
    Path tmp;

    private Path file(String name, int size) throws Exception {
        byte[] b = new byte[size];
        new Random(size).nextBytes(b);
        Path p = tmp.resolve(name);
        Files.createDirectories(p.getParent());
        Files.write(p, b);
        return p;
    }

    private byte[] famfsBytes(String path) {
        try (MasterVolume v = openMaster()) {
            FamfsFile f = v.openFile(path);
            ByteBuffer b = ByteBuffer.allocate((int) f.size());
            f.read(0, b);
            return b.array();
        }
    }

    @Test
    void copiesAFileToANewNameWithItsModeAndBytes() throws Exception {
        mkfs();
        Path src = file("a.bin", 3_000_001);
        Files.setPosixFilePermissions(src, PosixFilePermissions.fromString("rw-r-----"));
        master("cp", "--device", d(), src.toString(), "/copy").expect(ExitCode.OK);
        assertThat(famfsBytes("copy")).isEqualTo(Files.readAllBytes(src));
        try (MasterVolume v = openMaster()) {
            assertThat(v.stat("copy").mode()).isEqualTo(0640);
        }
    }

    @Test
    void copiesSeveralFilesIntoADirectoryWithOwnerOptions() throws Exception {
        mkfs();
        Path a = file("a", 10);
        Path b = file("b", 20);
        master("mkdir", "--device", d(), "dir").expect(ExitCode.OK);
        master("cp", "-m", "444", "-u", "7", "-g", "8", "--device", d(), a.toString(), b.toString(), "dir").expect(ExitCode.OK);
        try (MasterVolume v = openMaster()) {
            Node n = v.stat("dir/b");
            assertThat(n.mode()).isEqualTo(0444);
            assertThat(n.uid()).isEqualTo(7);
            assertThat(n.gid()).isEqualTo(8);
            assertThat(((Node.File) n).size()).isEqualTo(20);
        }
    }

    @Test
    void recursiveCopyRebuildsTheTree() throws Exception {
        mkfs();
        file("tree/x", 100);
        file("tree/sub/y", 200);
        assertThat(master("cp", "--device", d(), tmp.resolve("tree").toString(), "t").expect(ExitCode.IS_A_DIRECTORY).err())
                .contains("use -r");
        master("cp", "-r", "--device", d(), tmp.resolve("tree").toString(), "t").expect(ExitCode.OK);
        assertThat(famfsBytes("t/sub/y")).isEqualTo(Files.readAllBytes(tmp.resolve("tree/sub/y")));
        // into an existing directory: lands under its own name
        master("cp", "-r", "--device", d(), tmp.resolve("tree").toString(), "t").expect(ExitCode.OK);
        assertThat(famfsBytes("t/tree/x")).hasSize(100);
    }

    /** Issue 13 item 10: cp -r follows no symbolic link (a loop, a link out of the tree) and refuses FIFOs. */
    @Test
    void recursiveCopyFollowsNoLinksAndRefusesSpecialFiles() throws Exception {
        mkfs();
        file("tree/x", 100);
        file("tree/sub/y", 200);
        Files.createSymbolicLink(tmp.resolve("tree/sub/up"), Path.of(".."));
        Path outside = file("outside", 50);
        Files.createSymbolicLink(tmp.resolve("tree/passwd"), outside);
        Path fifo = tmp.resolve("tree/fifo");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        Result r = master("cp", "-r", "--device", d(), tmp.resolve("tree").toString(), "t");
        r.expect(ExitCode.NOT_PERMITTED);
        assertThat(r.err()).contains("not copying symbolic link " + tmp.resolve("tree/sub/up"),
                "not copying symbolic link " + tmp.resolve("tree/passwd"), "FIFO", "3 of the copies failed");
        assertThat(famfsBytes("t/x")).hasSize(100);
        assertThat(famfsBytes("t/sub/y")).hasSize(200);
        try (MasterVolume v = openMaster()) {
            assertThat(v.lookup("t/sub/up")).isNull();
            assertThat(v.lookup("t/passwd")).isNull();
            assertThat(v.lookup("t/fifo")).isNull();
        }
        // a FIFO named on the command line: refused at once, not blocked on
        master("cp", "--device", d(), fifo.toString(), "f").expect(ExitCode.NOT_PERMITTED);
        // a link named on the command line without -r is followed, as cp does
        master("cp", "--device", d(), tmp.resolve("tree/passwd").toString(), "p").expect(ExitCode.OK);
        assertThat(famfsBytes("p")).hasSize(50);
    }

    @Test
    void errorsAreReportedAndTheRestIsCopied() throws Exception {
        mkfs();
        Path empty = tmp.resolve("empty");
        Files.createFile(empty);
        Path ok = file("ok", 5);
        master("mkdir", "--device", d(), "d").expect(ExitCode.OK);
        Result r = master("cp", "--device", d(), empty.toString(), tmp.resolve("missing").toString(), ok.toString(), "d");
        r.expect(ExitCode.USAGE);
        assertThat(r.err()).contains("is empty", "no such file", "2 of the copies failed");
        assertThat(famfsBytes("d/ok")).hasSize(5);
        master("cp", "--device", d(), tmp.resolve("missing").toString(), "x").expect(ExitCode.NOT_FOUND);
    }

    @Test
    void destinationErrors() throws Exception {
        mkfs();
        Path a = file("a", 10);
        master("cp", "--device", d(), a.toString(), a.toString(), "nodir").expect(ExitCode.NOT_FOUND);
        assertThat(master("cp", "--device", d(), a.toString(), "nodir/").expect(ExitCode.NOT_FOUND).err())
                .contains("DEST ends with '/'");
        master("cp", "--device", d(), a.toString(), "f").expect(ExitCode.OK);
        master("cp", "--device", d(), a.toString(), "f").expect(ExitCode.OK); // same bytes: as the reference
        Path zeros = Files.write(tmp.resolve("zeros"), new byte[10]); // same size, other bytes
        master("cp", "--device", d(), zeros.toString(), "f").expect(ExitCode.EXISTS);
        master("cp", "--device", d(), a.toString(), a.toString(), "f").expect(ExitCode.NOT_A_DIRECTORY);
        client("cp", "--device", d(), a.toString(), "g").expect(ExitCode.NOT_MASTER);
        assertThat(master("cp", "--device", d(), a.toString()).expect(ExitCode.USAGE).err())
                .contains("needs at least one SRC and a DEST", "try 'famfs-rocks cp --help'");
        master("cp", a.toString(), "--device", d(), "between").expect(ExitCode.OK); // options between arguments
    }

    @Test
    void progressWhenAskedALineWithoutATerminalAndJsonForScripts() throws Exception {
        mkfs();
        Path a = file("big", 5 << 20);
        Result r = master("cp", "--progress", "--device", d(), a.toString(), "big").expect(ExitCode.OK);
        assertThat(r.err()).contains("big: copied ", "5.00M of 5.00M (100%)");
        assertThat(master("cp", "--no-progress", "--device", d(), a.toString(), "big2").expect(ExitCode.OK).err()).isEmpty();

        Path b = file("small", 4096);
        r = master("cp", "--json", "--device", d(), a.toString(), b.toString(), "/").expect(ExitCode.OK);
        assertThat(r.err()).isEmpty();
        java.util.List<String> lines = r.out().lines().toList();
        com.fasterxml.jackson.databind.ObjectMapper m = new com.fasterxml.jackson.databind.ObjectMapper();
        for (String l : lines) {
            assertThat(m.readTree(l).get("verb").asText()).as(l).isEqualTo("cp");
        }
        com.fasterxml.jackson.databind.JsonNode done = m.readTree(lines.get(lines.size() - 1));
        assertThat(done.get("event").asText()).isEqualTo("done");
        assertThat(done.get("files_copied").asLong()).as(r.out()).isEqualTo(1); // small
        assertThat(done.get("files_already_there").asLong()).isEqualTo(1); // big, the same bytes
        assertThat(done.get("bytes_copied").asLong()).isEqualTo(4096);
        assertThat(done.get("failed").asLong()).isZero();
        assertThat(lines).anyMatch(l -> l.contains("\"event\":\"progress\"") && l.contains("\"label\":\"small\""));
    }
}
