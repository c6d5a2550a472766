package io.famfsrocks.famfs.fs;

import io.famfsrocks.famfs.FamfsException;
import io.famfsrocks.famfs.testing.ChildJvm;
import io.famfsrocks.famfs.testing.TestDevices;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** A master process creates and writes; a client process with another host UUID sees it. */
class TwoHostTest {
    /** Child entry point: {@code master DEV PATH TEXT} or {@code client DEV PATH}. */
    public static void main(String[] args) {
        Path dev = Path.of(args[1]);
        try {
            if (args[0].equals("many")) {
                try (MasterVolume v = Famfs.openMaster(dev, OpenOptions.defaults())) {
                    for (int i = 0; i < 300; i++) {
                        v.create(args[2] + i, 1 + i, CreateOptions.file());
                    }
                    System.out.println("done");
                }
            } else if (args[0].equals("master")) {
                try (MasterVolume v = Famfs.openMaster(dev, OpenOptions.defaults())) {
                    byte[] text = args[3].getBytes(StandardCharsets.UTF_8);
                    v.create(args[2], text.length, CreateOptions.file());
                    v.openWritable(args[2]).write(0, ByteBuffer.wrap(text));
                    v.openWritable(args[2]).flush();
                    System.out.println("created");
                }
            } else {
                try (FamfsVolume v = Famfs.open(dev, OpenOptions.defaults())) {
                    System.out.println("master=" + v.isMaster());
                    FamfsFile f = v.openFile(args[2]);
                    ByteBuffer b = ByteBuffer.allocate((int) f.size());
                    f.read(0, b);
                    System.out.println("read=" + new String(b.array(), StandardCharsets.UTF_8));
                    try (MasterVolume m = Famfs.openMaster(dev, OpenOptions.defaults())) {
                        System.out.println("client became master?!");
                    }
                }
            }
        } catch (FamfsException e) {
            System.out.println("error " + e.kind() + ": " + e.getMessage());
            System.exit(3);
        }
    }

    @Test
    void twoMasterProcessesNeverInterleaveAppends() throws Exception {
        try (TestDevices dev = TestDevices.formatted(4L << 30)) {
            Process a = ChildJvm.start(dev.masterUuid, TwoHostTest.class, "many", dev.path.toString(), "a");
            Process b = ChildJvm.start(dev.masterUuid, TwoHostTest.class, "many", dev.path.toString(), "b");
            assertThat(ChildJvm.finish(a, 120)[1]).contains("done");
            assertThat(ChildJvm.finish(b, 120)[1]).contains("done");
            Fsck.Report r = Fsck.check(dev.path, OpenOptions.defaults().withSystemUuid(dev.masterUuid));
            assertThat(r.defects()).isEmpty();
            assertThat(r.files()).isEqualTo(600);
            assertThat(r.collisions()).isZero();
        }
    }

    @Test
    void clientProcessSeesWhatTheMasterProcessWrote() throws Exception {
        try (TestDevices dev = TestDevices.formatted(1L << 30)) {
            String[] m = ChildJvm.finish(ChildJvm.start(dev.masterUuid, TwoHostTest.class,
                    "master", dev.path.toString(), "shared.txt", "bytes from the master"), 60);
            assertThat(m[1]).contains("created");
            assertThat(m[0]).isEqualTo("0");
            String[] c = ChildJvm.finish(ChildJvm.start(UUID.randomUUID().toString(), TwoHostTest.class,
                    "client", dev.path.toString(), "shared.txt"), 60);
            assertThat(c[1]).contains("master=false").contains("read=bytes from the master")
                    .contains("error NOT_MASTER");
            assertThat(c[0]).isEqualTo("3");
        }
    }
}
