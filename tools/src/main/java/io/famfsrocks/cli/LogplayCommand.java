package io.famfsrocks.cli;

import io.famfsrocks.famfs.CorruptMediaException;
import io.famfsrocks.famfs.fs.Famfs;
import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.famfs.fs.FormatInfo;
import io.famfsrocks.famfs.fs.LogRecord;
import io.famfsrocks.famfs.fs.Namespace;
import io.famfsrocks.famfs.fs.VolumeUsage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code logplay}: replay the log and report what it holds. A mounted famfs replays by
 * itself (it follows the log), so this verb shows, and with {@code -n} lists, what a replay
 * finds; it never changes the volume.
 */
@Command(name = "logplay", description = "Replay the famfs log and report what it finds (read-only).",
        footer = {"", "Examples:",
                "  famfs-rocks logplay /mnt/famfs                  # summary",
                "  famfs-rocks logplay -n --device /dev/shm/famfs0  # list every entry (dry run)",
                "  famfs-rocks logplay --json /dev/shm/famfs0"})
public final class LogplayCommand extends Verb {
    @Option(names = {"-n", "--dryrun"}, description = "List each entry replay would apply.")
    boolean dryRun;

    @Mixin
    DeviceOption deviceOption;

    @Mixin
    JsonOption jsonOption;

    @Parameters(index = "0", arity = "0..1", paramLabel = "PATH",
            description = "Any path inside a mounted famfs, or a device.")
    String path;

    @Override
    protected ExitCode run() {
        Path device = volume(deviceOption, path);
        try (FamfsVolume v = Famfs.openReadOnly(device, openOptions())) { // reports a partial replay itself
            VolumeUsage h = v.usage();
            List<Json.Obj> entries = entries(v);
            long files = entries.stream().filter(o -> "file".equals(o.get("type"))).count();
            long dirs = entries.stream().filter(o -> "mkdir".equals(o.get("type"))).count();
            CorruptMediaException stop = v.replayError();
            List<Namespace.Anomaly> skipped = v.namespace().anomalies();
            List<String> errors = new ArrayList<>();
            skipped.forEach(a -> errors.add(a.toString()));
            if (stop != null) {
                errors.add("replay stopped at entry " + v.appliedEntries() + ": " + stop.getMessage());
            }
            if (jsonOption.json()) {
                out().println(Json.write(Json.obj().put("device", device.toString())
                        .put("entries_total", h.logSlotsUsed()).put("entries_replayed", v.appliedEntries())
                        .put("slots", h.logSlots()).put("files", files).put("directories", dirs)
                        .put("errors", errors).put("entries", dryRun || verbose() ? entries : null)));
            } else {
                if (dryRun) {
                    out().println("Logplay: dry run (nothing is changed)");
                }
                if (dryRun || verbose()) {
                    for (Json.Obj o : entries) {
                        out().println(line(o));
                    }
                }
                out().printf("famfs logplay: processed %d log entries; %d files; %d directories%n",
                        v.appliedEntries(), files, dirs);
                if (verbose()) {
                    out().printf("  log: %d of %d slots used (%d bytes per entry)%n", h.logSlotsUsed(), h.logSlots(),
                            FormatInfo.LOG_ENTRY_SIZE);
                }
                for (String e : errors) {
                    warn(e);
                }
            }
            if (stop != null) {
                return ExitCode.CORRUPT_MEDIA;
            }
            return skipped.isEmpty() ? ExitCode.OK : ExitCode.CHECK_FAILED;
        }
    }

    /** One JSON object per applied log entry, as -n, -v and --json show them. */
    private static List<Json.Obj> entries(FamfsVolume v) {
        List<Json.Obj> entries = new ArrayList<>();
        for (LogRecord e : v.logRecords()) {
            Json.Obj o = Json.obj().put("index", e.index());
            switch (e.type()) {
                case FILE -> o.put("type", "file").put("path", e.path()).put("size", e.size()).put("mode", octal(e.mode()))
                        .put("uid", Integer.toUnsignedLong(e.uid())).put("gid", Integer.toUnsignedLong(e.gid())).put("extents", e.extents());
                case MKDIR -> o.put("type", "mkdir").put("path", e.path()).put("mode", octal(e.mode()))
                        .put("uid", Integer.toUnsignedLong(e.uid())).put("gid", Integer.toUnsignedLong(e.gid()));
                case ADD_DAXDEV -> o.put("type", "add_daxdev").put("device_index", e.deviceIndex()).put("size", e.size());
            }
            entries.add(o);
        }
        return entries;
    }

    private static String line(Json.Obj o) {
        String type = (String) o.get("type");
        if ("file".equals(type)) {
            return String.format("  %5d file  %s %s:%s %12d  %s", o.get("index"), o.get("mode"), o.get("uid"),
                    o.get("gid"), (Long) o.get("size"), Names.printable(String.valueOf(o.get("path"))));
        }
        if ("mkdir".equals(type)) {
            return String.format("  %5d mkdir %s %s:%s %12s  %s", o.get("index"), o.get("mode"), o.get("uid"),
                    o.get("gid"), "-", Names.printable(String.valueOf(o.get("path"))));
        }
        return String.format("  %5d %s", o.get("index"), type);
    }

    static String octal(int mode) {
        return String.format("%04o", mode);
    }
}
