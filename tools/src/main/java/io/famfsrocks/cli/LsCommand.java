package io.famfsrocks.cli;

import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.famfs.fs.Node;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** {@code ls}: list a directory (or name a file) as the log describes it. */
@Command(name = "ls", description = "List a famfs directory from the log (no mount needed with --device).",
        footer = {"", "Examples:",
                "  famfs-rocks ls --device /dev/shm/famfs0           # the root",
                "  famfs-rocks ls -l /mnt/famfs/db",
                "  famfs-rocks ls -R --json --device /dev/shm/famfs0 /"})
public final class LsCommand extends Verb {
    @Option(names = {"-l", "--long"}, description = "Long format: type, mode, uid, gid, size, name.")
    boolean longFormat;

    @Option(names = {"-R", "--recursive"}, description = "List subdirectories too.")
    boolean recursive;

    @Mixin
    DeviceOption deviceOption;

    @Mixin
    JsonOption jsonOption;

    @Parameters(index = "0", arity = "0..1", paramLabel = "PATH", description = "Directory or file (default: the current "
            + "directory inside a mount, else the volume root).")
    String path;

    @Override
    protected ExitCode run() {
        Target t = target(deviceOption, path);
        try (FamfsVolume v = openReadOnly(t.device())) {
            Node n = v.stat(t.relative());
            List<Node> nodes = new ArrayList<>();
            if (n instanceof Node.Dir) {
                collect(v, n.path(), nodes);
            } else {
                nodes.add(n);
            }
            if (jsonOption.json()) {
                List<Json.Obj> out = new ArrayList<>();
                for (Node x : nodes) {
                    out.add(StatCommand.toJson(x));
                }
                out().println(Json.write(out));
                return ExitCode.OK;
            }
            for (Node x : nodes) {
                String name = Names.printable(n instanceof Node.Dir && !recursive ? leaf(x.path()) : "/" + x.path());
                if (longFormat) {
                    out().printf("%s%s %5d %5d %14s  %s%n", x instanceof Node.Dir ? "d" : "-", rwx(x.mode()),
                            Integer.toUnsignedLong(x.uid()), Integer.toUnsignedLong(x.gid()),
                            x instanceof Node.File f ? Long.toString(f.size()) : "-",
                            name + (x instanceof Node.Dir ? "/" : ""));
                } else {
                    out().println(name + (x instanceof Node.Dir ? "/" : ""));
                }
            }
        }
        return ExitCode.OK;
    }

    private void collect(FamfsVolume v, String dir, List<Node> into) {
        Collection<Node> children = v.list(dir);
        for (Node c : children) {
            into.add(c);
            if (recursive && c instanceof Node.Dir) {
                collect(v, c.path(), into);
            }
        }
    }

    private static String leaf(String p) {
        return p.substring(p.lastIndexOf('/') + 1);
    }

    static String rwx(int mode) {
        String chars = "rwxrwxrwx";
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 9; i++) {
            sb.append((mode & (0400 >> i)) != 0 ? chars.charAt(i) : '-');
        }
        return sb.toString();
    }
}
