package io.famfsrocks.cli;

import io.famfsrocks.famfs.fs.CreateOptions;
import io.famfsrocks.famfs.fs.MasterVolume;
import io.famfsrocks.famfs.fs.Node;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MkdirCommandTest extends CliTestBase {
    @Test
    void makesDirectoriesWithModeAndOwner() {
        mkfs();
        master("mkdir", "-m", "700", "-u", "5", "-g", "6", "--device", d(), "a", "b").expect(ExitCode.OK);
        try (MasterVolume v = openMaster()) {
            Node a = v.stat("a");
            assertThat(a).isInstanceOf(Node.Dir.class);
            assertThat(a.mode()).isEqualTo(0700);
            assertThat(a.uid()).isEqualTo(5);
            assertThat(v.stat("b").gid()).isEqualTo(6);
        }
    }

    @Test
    void parentsOption() {
        mkfs();
        master("mkdir", "--device", d(), "x/y/z").expect(ExitCode.NOT_FOUND);
        master("mkdir", "-p", "--device", d(), "x/y/z").expect(ExitCode.OK);
        master("mkdir", "-p", "--device", d(), "x/y/z").expect(ExitCode.OK);
        assertThat(master("mkdir", "--device", d(), "x/y").expect(ExitCode.EXISTS).err()).contains("already exists: /x/y");
    }

    @Test
    void errors() {
        mkfs();
        master("creat", "-s", "1m", "--device", d(), "f").expect(ExitCode.OK);
        master("mkdir", "--device", d(), "f/sub").expect(ExitCode.NOT_A_DIRECTORY);
        master("mkdir", "-p", "--device", d(), "f/sub").expect(ExitCode.NOT_A_DIRECTORY);
        client("mkdir", "--device", d(), "c").expect(ExitCode.NOT_MASTER);
        master("mkdir", "--device", d(), "a//b").expect(ExitCode.BAD_NAME);
        master("mkdir", "--device", d()).expect(ExitCode.USAGE);
    }

    @Test
    void logFull() {
        mkfs();
        try (MasterVolume v = openMaster()) {
            long slots = v.logSlots();
            for (long i = 0; i < slots; i++) {
                v.mkdir("d" + i, CreateOptions.dir());
            }
        }
        assertThat(master("mkdir", "--device", d(), "one-more").expect(ExitCode.LOG_FULL).err()).contains("log full");
        master("creat", "-s", "1m", "--device", d(), "f").expect(ExitCode.LOG_FULL);
        assertThat(master("df", "--json", "--device", d()).expect(ExitCode.OK).out()).contains("\"log_slots_left\": 0");
    }
}
