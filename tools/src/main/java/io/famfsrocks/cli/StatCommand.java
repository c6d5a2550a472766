package io.famfsrocks.cli;

import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.famfs.fs.FileMap;
import io.famfsrocks.famfs.fs.Node;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;

/** {@code stat}: what the log says about one or more paths. */
@Command(name = "stat", description = "Show a famfs file's or directory's metadata from the log.",
        footer = {"", "Examples:",
                "  famfs-rocks stat /mnt/famfs/data",
                "  famfs-rocks stat --json --device /dev/shm/famfs0 data db"})
public final class StatCommand extends Verb {
    @Mixin
    DeviceOption deviceOption;

    @Mixin
    JsonOption jsonOption;

    @Parameters(arity = "1..*", paramLabel = "PATH", description = "Files or directories.")
    List<String> paths;

    @Override
    protected ExitCode run() {
        List<Json.Obj> all = new ArrayList<>();
        for (String p : paths) {
            Target t = target(deviceOption, p);
            try (FamfsVolume v = openReadOnly(t.device())) {
                all.add(toJson(v.stat(t.relative())));
            }
        }
        if (jsonOption.json()) {
            out().println(Json.write(paths.size() == 1 ? all.get(0) : all));
            return ExitCode.OK;
        }
        for (Json.Obj o : all) {
            out().printf("  Path: %s%n  Type: %s%n", Names.printable(String.valueOf(o.get("path"))), o.get("type"));
            if ("file".equals(o.get("type"))) {
                out().printf("  Size: %d  Allocated: %d  Layout: %s, %d extent(s)%n", o.get("size"), o.get("allocated"),
                        o.get("layout"), o.get("extents"));
            }
            out().printf("  Mode: %s  Uid: %s  Gid: %s  Log index: %s%n", o.get("mode"), o.get("uid"), o.get("gid"),
                    o.get("log_index"));
        }
        return ExitCode.OK;
    }

    /** The JSON shape of a node, shared by ls and stat. */
    static Json.Obj toJson(Node n) {
        Json.Obj o = Json.obj().put("path", "/" + n.path()).put("type", n instanceof Node.Dir ? "directory" : "file");
        if (n instanceof Node.File f) {
            FileMap l = f.map();
            o.put("size", f.size()).put("allocated", l.allocatedBytes())
                    .put("layout", l.interleaved() ? "interleaved" : "simple")
                    .put("extents", l.extents().size());
        }
        return o.put("mode", LogplayCommand.octal(n.mode())).put("uid", Integer.toUnsignedLong(n.uid()))
                .put("gid", Integer.toUnsignedLong(n.gid())).put("log_index", n.logIndex());
    }

    static Json.Obj extentJson(FileMap.Span e) {
        return Json.obj().put("devindex", e.devIndex()).put("offset", e.offset()).put("length", e.length());
    }
}
