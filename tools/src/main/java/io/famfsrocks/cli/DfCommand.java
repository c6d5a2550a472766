package io.famfsrocks.cli;

import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.famfs.fs.Namespace;
import io.famfsrocks.famfs.fs.VolumeUsage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.Locale;

/** {@code df}: capacity, use, space amplification and log slots of a volume. */
@Command(name = "df", description = "Show a famfs volume's capacity, use, space amplification and log slots left.",
        footer = {"", "Used counts whole allocation units (2 MiB), including the superblock and log.",
                "Space amplification = allocated bytes / file bytes (1.00 is perfect).", "", "Examples:",
                "  famfs-rocks df /mnt/famfs", "  famfs-rocks df -H --device /dev/shm/famfs0",
                "  famfs-rocks df --json /dev/shm/famfs0"})
public final class DfCommand extends Verb {
    @Option(names = {"-H", "--human"}, description = "Sizes with k/m/g/t suffixes.")
    boolean human;

    @Mixin
    DeviceOption deviceOption;

    @Mixin
    JsonOption jsonOption;

    @Parameters(index = "0", arity = "0..1", paramLabel = "DEVICE|PATH",
            description = "A device, or any path inside a mounted famfs.")
    String path;

    @Override
    protected ExitCode run() {
        Path device = volume(deviceOption, path);
        try (FamfsVolume v = openReadOnly(device)) {
            Namespace ns = v.namespace();
            VolumeUsage u = v.usage();
            long capacity = u.capacity();
            long free = u.freeBytes();
            long used = u.usedBytes();
            long slots = u.logSlots();
            double amp = ns.fileBytes() == 0 ? Double.NaN : (double) ns.allocatedBytes() / ns.fileBytes();
            if (jsonOption.json()) {
                out().println(Json.write(Json.obj().put("device", device.toString()).put("capacity", capacity)
                        .put("used", used).put("free", free).put("files", ns.files())
                        .put("directories", ns.directories()).put("file_bytes", ns.fileBytes())
                        .put("allocated_bytes", ns.allocatedBytes()).put("space_amplification", amp)
                        .put("log_slots", slots).put("log_slots_used", u.logSlotsUsed())
                        .put("log_slots_left", u.logSlotsLeft()).put("master", v.info().systemUuid()
                                .toString()).put("this_host_is_master", v.info().systemUuid().equals(v.hostUuid()))));
                return ExitCode.OK;
            }
            out().printf("%-24s %14s %14s %14s %5s  %s%n", "Device", "Size", "Used", "Free", "Use%", "Log slots left");
            out().printf(Locale.ROOT, "%-24s %14s %14s %14s %4.0f%%  %d of %d%n", device, size(capacity), size(used),
                    size(free), capacity == 0 ? 0.0 : 100.0 * used / capacity, u.logSlotsLeft(), slots);
            out().printf(Locale.ROOT, "files %d, directories %d, file bytes %s, allocated %s, space amplification %s%n",
                    ns.files(), ns.directories(), size(ns.fileBytes()), size(ns.allocatedBytes()),
                    Double.isNaN(amp) ? "n/a" : String.format(Locale.ROOT, "%.2f", amp));
        }
        return ExitCode.OK;
    }

    private String size(long n) {
        return human ? Sizes.human(n) : Long.toString(n);
    }
}
