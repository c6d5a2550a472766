package io.famfsrocks.cli;

import org.junit.jupiter.api.Test;

import java.io.RandomAccessFile;
import java.nio.file.Files;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 13 item 7: a device truncated after mkfs (1 GiB said, 512 MiB left). Before: {@code ls}
 * exited 0 without the files past the end, and the master allocated over their space.
 */
class TruncatedDeviceTest extends CliTestBase {
    static final String SIZES = "is 536870912 bytes but its superblock says 1073741824";

    @Test
    void everyVerbReportsItAndNothingIsWritten() throws Exception {
        mkfs();
        master("creat", "-s", "4096", "--device", d(), "/a").expect(ExitCode.OK);
        master("creat", "-s", "900m", "--device", d(), "/big").expect(ExitCode.OK);
        try (RandomAccessFile f = new RandomAccessFile(dev.toFile(), "rw")) {
            f.setLength(512L << 20);
        }
        byte[] before = Files.readAllBytes(dev);
        String[][] verbs = {{"ls", "--device", d(), "/"}, {"ls", "-l", "--device", d(), "/"}, {"df", d()},
                {"stat", "--device", d(), "/a"}, {"getmap", "--device", d(), "/a"}, {"logplay", d()},
                {"creat", "-s", "4096", "--device", d(), "/c"}, {"mkdir", "--device", d(), "/dir"},
                {"verify", "--device", d(), "-S", "1", "/a"}};
        for (String[] v : verbs) {
            Result r = master(v[0], java.util.Arrays.copyOfRange(v, 1, v.length));
            assertThat(r.code()).as("%s: %s", String.join(" ", v), r.err()).isEqualTo(ExitCode.CORRUPT_MEDIA.code());
            assertThat(r.err()).as(v[0]).contains(SIZES).doesNotContain("\tat ");
        }
        Result get = run("replica", "get", "--system-uuid", MASTER, "--dataset", "db1", "--device", d(), "k");
        assertThat(get.code()).as(get.err()).isEqualTo(ExitCode.CORRUPT_MEDIA.code());
        assertThat(get.err()).contains(SIZES);
        Result fsck = master("fsck", d());
        assertThat(fsck.code()).as(fsck.out() + fsck.err()).isNotZero();
        assertThat(fsck.out() + fsck.err()).contains("device_size 1073741824 exceeds the device's 536870912 bytes");
        assertThat(Files.readAllBytes(dev)).as("nothing written").isEqualTo(before);
    }
}
