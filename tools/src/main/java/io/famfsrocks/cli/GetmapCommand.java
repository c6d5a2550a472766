package io.famfsrocks.cli;

import io.famfsrocks.famfs.fs.FamfsFile;
import io.famfsrocks.famfs.fs.FileMap;
import io.famfsrocks.famfs.fs.FamfsVolume;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;

/** {@code getmap}: where a file's bytes live on the device. */
@Command(name = "getmap", description = "Show where a famfs file's bytes live on the device (its extents).",
        footer = {"", "Offsets are printed in hex, lengths in decimal, as by the reference.", "", "Examples:",
                "  famfs-rocks getmap /mnt/famfs/data",
                "  famfs-rocks getmap --json --device /dev/shm/famfs0 data"})
public final class GetmapCommand extends Verb {
    @Option(names = {"-q", "--quiet"}, description = "Print only the 'good file' line.")
    boolean quiet;

    @Mixin
    DeviceOption deviceOption;

    @Mixin
    JsonOption jsonOption;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Files to map.")
    List<String> files;

    @Override
    protected ExitCode run() {
        List<Json.Obj> maps = new ArrayList<>();
        for (String file : files) {
            Target t = target(deviceOption, file);
            try (FamfsVolume v = openReadOnly(t.device())) {
                FamfsFile f = v.openFile(t.relative());
                FileMap l = f.node().map();
                List<Json.Obj> ext = new ArrayList<>();
                for (FileMap.Span e : l.extents()) {
                    ext.add(StatCommand.extentJson(e));
                }
                Json.Obj o = Json.obj().put("file", t.display()).put("size", f.size())
                        .put("layout", l.interleaved() ? "interleaved" : "simple");
                if (l.interleaved()) {
                    o.put("chunk_size", l.chunkSize()).put("nstrips", l.extents().size());
                }
                maps.add(o.put("extents", ext));
                if (jsonOption.json()) {
                    continue;
                }
                if (!quiet) {
                    out().printf("File:     %s%n", t.display());
                    out().printf("\tsize:    %d%n", f.size());
                    if (l.interleaved()) {
                        out().printf("\textents: 1%n");
                        out().printf("Interleave_Param chunk_size: %d%n", l.chunkSize());
                        out().printf("Interleaved extent has %d strips:%n", l.extents().size());
                    } else {
                        out().printf("\textents: %d%n", l.extents().size());
                    }
                    for (FileMap.Span e : l.extents()) {
                        out().printf("\t\t%x\t%d%n", e.offset(), e.length());
                    }
                }
                out().printf("famfs getmap: good file %s%n", t.display());
            }
        }
        if (jsonOption.json()) {
            out().println(Json.write(maps.size() == 1 ? maps.get(0) : maps));
        }
        return ExitCode.OK;
    }
}
