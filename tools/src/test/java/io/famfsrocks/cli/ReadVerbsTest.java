package io.famfsrocks.cli;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** ls, stat, getmap and df: read-only verbs that any host may run. */
class ReadVerbsTest extends CliTestBase {
    @BeforeEach
    void populate() {
        mkfs();
        master("mkdir", "-p", "--device", d(), "db/sst").expect(ExitCode.OK);
        master("creat", "-s", "3m", "--device", d(), "db/sst/1.sst").expect(ExitCode.OK);
        master("creat", "-s", "1k", "-u", "1000", "--device", d(), "top").expect(ExitCode.OK);
    }

    /** Issue 13 item 11: hostile names are escaped, uids are unsigned, a trailing '/' makes no file. */
    @Test
    void namesAreEscapedUidsUnsignedAndATrailingSlashMakesNoFile() {
        master("mkdir", "--device", d(), "h").expect(ExitCode.OK);
        master("creat", "-s", "1k", "-u", "4294967295", "--device", d(), "h/a\u001b[2Jb\nforged").expect(ExitCode.OK);
        String ls = client("ls", "-l", "--device", d(), "h").expect(ExitCode.OK).out();
        assertThat(ls).doesNotContain("\u001b").contains("a\\033[2Jb\\nforged").contains("4294967295")
                .doesNotContain("-1 ");
        assertThat(ls.split("\n")).hasSize(1);
        String play = client("logplay", "-n", "--device", d()).expect(ExitCode.OK).out();
        assertThat(play).doesNotContain("\u001b").contains("a\\033[2Jb\\nforged").contains("4294967295");
        assertThat(master("creat", "-s", "1k", "--device", d(), "h/x/").expect(ExitCode.NOT_A_DIRECTORY).err())
                .contains("ending in '/'");
        client("ls", "--device", d(), "h/x").expect(ExitCode.NOT_FOUND);
    }

    @Test
    void lsListsAndLongListsAndRecurses() {
        assertThat(client("ls", "--device", d()).expect(ExitCode.OK).out()).isEqualTo("db/\ntop\n");
        assertThat(client("ls", "-l", "--device", d(), "db/sst").expect(ExitCode.OK).out())
                .contains("-rw-r--r--", "3145728", "1.sst");
        assertThat(client("ls", "-R", "--device", d()).expect(ExitCode.OK).out())
                .isEqualTo("/db/\n/db/sst/\n/db/sst/1.sst\n/top\n");
        String json = client("ls", "--json", "--device", d(), "/").expect(ExitCode.OK).out();
        assertThat(json).startsWith("[").contains("\"path\": \"/top\"", "\"uid\": 1000", "\"type\": \"directory\"");
        assertThat(client("ls", "--device", d(), "top").expect(ExitCode.OK).out()).isEqualTo("/top\n");
        client("ls", "--device", d(), "nope").expect(ExitCode.NOT_FOUND);
    }

    @Test
    void lsDefaultsToTheCurrentDirectoryWhichMustBeInAMount() {
        assertThat(client("ls").expect(ExitCode.NOT_FAMFS).err()).contains("not inside a mounted famfs");
    }

    @Test
    void statShowsMetadataAsTextAndJson() {
        assertThat(client("stat", "--device", d(), "db/sst/1.sst").expect(ExitCode.OK).out())
                .contains("Path: /db/sst/1.sst", "Size: 3145728", "Allocated: 4194304", "Mode: 0644");
        assertThat(client("stat", "--json", "--device", d(), "db").expect(ExitCode.OK).out())
                .contains("\"type\": \"directory\"", "\"log_index\": 0");
        assertThat(client("stat", "--json", "--device", d(), "db", "top").expect(ExitCode.OK).out()).startsWith("[");
        client("stat", "--device", d(), "db/nope").expect(ExitCode.NOT_FOUND);
    }

    @Test
    void getmapPrintsExtentsLikeTheReference() {
        String out = client("getmap", "--device", d(), "top").expect(ExitCode.OK).out();
        assertThat(out).contains("File:     /top\n\tsize:    1024\n\textents: 1\n\t\t", "\t2097152\n",
                "famfs getmap: good file /top");
        assertThat(client("getmap", "-q", "--device", d(), "top").expect(ExitCode.OK).out())
                .isEqualTo("famfs getmap: good file /top\n");
        assertThat(client("getmap", "--json", "--device", d(), "top").expect(ExitCode.OK).out())
                .contains("\"layout\": \"simple\"", "\"length\": 2097152");
        client("getmap", "--device", d(), "db").expect(ExitCode.IS_A_DIRECTORY);
        client("getmap", "--device", d(), "zzz").expect(ExitCode.NOT_FOUND);
    }

    @Test
    void dfReportsCapacityUseAmplificationAndLogSlots() {
        String out = client("df", "--device", d()).expect(ExitCode.OK).out();
        assertThat(out).contains("Log slots left", "15416 of 15420", "space amplification 2.00");
        String json = client("df", "--json", d()).expect(ExitCode.OK).out();
        assertThat(json).contains("\"capacity\": 1073741824", "\"log_slots_left\": 15416", "\"files\": 2",
                "\"this_host_is_master\": false", "\"used\": " + (16L << 20));
        assertThat(client("df", "-H", d()).expect(ExitCode.OK).out()).contains("1.00G");
        client("df").expect(ExitCode.USAGE);
        client("df", "/dev/shm/no-such-famfs-device").expect(ExitCode.NOT_FOUND);
    }

    @Test
    void pathsInsideAMountFindTheDevice() {
        mountLines = List.of("famfs:" + dev + " /mnt/famfs-cli-test fuse.famfs rw 0 0");
        assertThat(client("ls", "/mnt/famfs-cli-test/db").expect(ExitCode.OK).out()).isEqualTo("sst/\n");
        assertThat(client("df", "--json", "/mnt/famfs-cli-test/db").expect(ExitCode.OK).out()).contains("\"files\": 2");
        client("stat", "/mnt/famfs-cli-test/top").expect(ExitCode.OK);
    }
}
