package io.famfsrocks.cli.rocks;

import io.famfsrocks.cli.Context;
import io.famfsrocks.cli.Main;
import io.famfsrocks.cli.MountTable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The RocksDB verbs' help and usage errors (their end-to-end tests are in it-tests). */
class RocksVerbsTest {
    record Result(int code, String out, String err) {}

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Context ctx = Context.system().withMounts(() -> MountTable.parse(List.of())).withDefaultDevice(null);
        int code = Main.run(ctx, new PrintWriter(out), new PrintWriter(err), args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void everyVerbHasHelpWithExamplesAndFootersThatFitEightyColumns() {
        for (String[] v : new String[][] {{"sst-publish"}, {"replica"}, {"replica", "get"}, {"replica", "scan"},
                {"replica", "stat"}, {"replica", "serve"}, {"demo"}, {"rotate"}}) {
            String[] args = java.util.Arrays.copyOf(v, v.length + 1);
            args[v.length] = "--help";
            Result r = run(args);
            assertThat(r.code()).as(String.join(" ", v)).isZero();
            assertThat(r.out()).as(String.join(" ", v)).contains("Usage: famfs-rocks " + String.join(" ", v), "Examples:");
        }
        CommandLine replica = Main.commandLine(Context.system()).getSubcommands().get("replica");
        replica.getSubcommands().forEach((name, sub) ->
                assertThat(sub.getCommandSpec().usageMessage().footer()).as(name).allMatch(l -> l.length() < 80));
        assertThat(run("--help").out()).contains("sst-publish", "replica", "demo").doesNotContain("demo-host");
    }

    @Test
    void usageErrorsExitTwoWithAMessage() {
        Result r = run("sst-publish", "--dataset", "d", "--device", "/dev/shm/none");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("either --db DIR or external SST files");
        r = run("sst-publish", "--dataset", "d", "--device", "/dev/shm/none", "--live", "x.sst");
        assertThat(r.code()).isEqualTo(2);
        r = run("sst-publish", "--dataset", "bad name", "--device", "/dev/shm/none", "--db", "/tmp");
        assertThat(r.code()).isEqualTo(10);
        r = run("replica", "get", "--dataset", "d", "k");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--device DEVICE, --mount MOUNTPOINT or $FAMFS_DEVICE");
        r = run("replica", "scan", "--dataset", "d", "--device", "/dev/shm/none", "--limit", "0");
        assertThat(r.code()).isEqualTo(2);
        r = run("replica", "get", "--dataset", "d", "--device", "/dev/shm/none", "--enc", "hex", "zz");
        assertThat(r.code()).isEqualTo(2);
        r = run("replica");
        assertThat(r.code()).isEqualTo(2);
        r = run("demo", "--keys", "10");
        assertThat(r.code()).isEqualTo(2);
    }
}
