package io.famfsrocks.cli;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.FamfsException;
import io.famfsrocks.famfs.fs.FormatInfo;
import io.famfsrocks.famfs.fs.VolumeInfo;
import io.famfsrocks.famfs.fs.Fsck;
import io.famfsrocks.famfs.fs.SystemUuid;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.UUID;

/** {@code fsck}: check a volume read-only and report as the reference does, plus every defect. */
@Command(name = "fsck", description = "Check a famfs volume (read-only, any host, mounted or not).",
        footer = {"", "Exit code 0 when clean, 1 (CHECK_FAILED) when any defect is found.",
                "-h means human-readable sizes here, as in the reference; use --help for help.",
                "", "Examples:",
                "  famfs-rocks fsck /dev/shm/famfs0", "  famfs-rocks fsck -h -v /mnt/famfs",
                "  famfs-rocks fsck --json /dev/shm/famfs0"})
public final class FsckCommand extends Verb {
    @Option(names = {"-h", "--human"}, description = "Sizes in GiB.")
    boolean human;

    @Option(names = "-v", description = "Also print the layout details (log offset, sizes of structures).")
    boolean detail;

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
        if (!Files.exists(device)) {
            throw new FamfsException(ErrorKind.NOT_FOUND, "device " + device + " does not exist");
        }
        Fsck.Report r = Fsck.check(device, openOptions());
        VolumeInfo sb = r.info();
        UUID host = hostUuidOrNull();
        String role = sb == null ? "Invalid superblock" : sb.systemUuid().equals(host) ? "Owner" : "Client";
        long capacity = sb == null ? 0 : sb.deviceSize();
        if (jsonOption.json()) {
            out().println(Json.write(json(device, r, sb, role, capacity)));
            return r.clean() ? ExitCode.OK : ExitCode.CHECK_FAILED;
        }
        var out = out();
        if (sb != null) {
            printReport(out, r, sb, role, capacity);
        }
        for (String w : r.warnings()) {
            out.println("warning: " + w);
        }
        out.flush();
        if (r.clean()) {
            out.println("fsck: " + device + " is clean");
            return ExitCode.OK;
        }
        for (String d : r.defects()) {
            out.println("defect: " + d);
        }
        out.flush();
        warn("fsck found " + r.defects().size() + " defect(s) on " + device);
        return ExitCode.CHECK_FAILED;
    }

    /** Like the reference: a host without a system UUID is reported as a client, with a warning. */
    private UUID hostUuidOrNull() {
        try {
            return SystemUuid.resolve(systemUuid);
        } catch (FamfsException e) {
            if (e.kind() != ErrorKind.IO) {
                throw e;
            }
            warn("unable to get the system UUID (" + e.getMessage() + "); assuming client role");
            return null;
        }
    }

    private static Json.Obj json(Path device, Fsck.Report r, VolumeInfo sb, String role, long capacity) {
        Json.Obj o = Json.obj().put("device", device.toString()).put("clean", r.clean());
        if (sb != null) {
            o.put("superblock", Json.obj().put("version", sb.version()).put("fs_uuid", sb.fsUuid().toString())
                    .put("dev_uuid", sb.devUuid().toString())
                    .put("system_uuid", sb.systemUuid().toString()).put("role", role)
                    .put("device_size", sb.deviceSize()).put("device_name", sb.deviceName())
                    .put("log_offset", sb.logOffset()).put("log_len", sb.logLen())
                    .put("alloc_unit", sb.allocUnit()));
        }
        Fsck.ReferenceTotals t = r.reference();
        o.put("log", Json.obj().put("entries_used", r.entriesUsed()).put("entries_total", r.entriesTotal())
                .put("bad_entries", r.badEntries()).put("files", t.files()).put("directories", t.directories()))
                .put("capacity", Json.obj().put("device_capacity", capacity).put("bitmap_capacity", t.bitmapCapacity())
                        .put("file_bytes", t.fileBytes()).put("allocated_bytes", t.allocatedBytes())
                        .put("free_bytes", t.bitmapCapacity() - t.allocatedBytes())
                        .put("percent_used", t.percentUsed()).put("collisions", t.collisions())
                        .put("space_amplification", t.spaceAmplification())
                        .put("file_allocated_bytes", r.allocatedBytes())
                        .put("file_space_amplification", r.spaceAmplification()))
                .put("defects", r.defects()).put("warnings", r.warnings());
        return o;
    }

    /**
     * {@code %.<decimals>f} as glibc's printf prints it: the exact binary value rounded half
     * to even ({@code String.format} rounds half up, so 12.25 would become 12.3, not 12.2),
     * {@code inf} and {@code nan} included.
     */
    static String cFixed(double v, int decimals) {
        return Double.isNaN(v) ? "nan" : Double.isInfinite(v) ? (v > 0 ? "inf" : "-inf")
                : new java.math.BigDecimal(v).setScale(decimals, java.math.RoundingMode.HALF_EVEN).toPlainString();
    }

    private static String c2f(double v) {
        return cFixed(v, 2);
    }

    /** GiB in the reference's single precision ({@code (float) n / agig}), printed as it prints them. */
    private static String g(long n) {
        return cFixed((float) n / (float) (1L << 30), 2) + "G";
    }

    /**
     * The reference fsck's report, line for line where it has the line (its totals computed
     * as it computes them: {@link Fsck.ReferenceTotals}); lines it lacks come after its own
     * in each section.
     */
    private void printReport(java.io.PrintWriter out, Fsck.Report r, VolumeInfo sb, String role, long capacity) {
        Fsck.ReferenceTotals t = r.reference();
        out.println("Famfs Superblock:");
        out.printf("  Filesystem UUID:   %s%n", sb.fsUuid());
        out.printf("  Device UUID:       %s%n", sb.devUuid());
        out.printf("  System UUID:       %s%n", sb.systemUuid());
        out.printf("  role of this node: %s%n", role);
        out.printf("  alloc_unit:        0x%x%n", sb.allocUnit());
        out.printf("  OMF major version: %d%n", FormatInfo.OMF_MAJOR);
        out.printf("  OMF minor version: %d%n", FormatInfo.OMF_MINOR);
        out.printf("  sizeof superblock: %d%n", FormatInfo.SUPERBLOCK_SIZE);
        out.printf("  log size (bytes):  %d%n", sb.logLen());
        out.printf("  primary: %s   %d%n", sb.deviceName(), sb.deviceSize());
        out.printf("  num_daxdevs:       %d%n%n", 1);
        out.println("Log stats:");
        out.printf("  # of log entries in use: %d of %d%n", r.entriesUsed(), r.entriesTotal());
        out.printf("  Log size in use:          %d%n", FormatInfo.LOG_HEADER_SIZE + r.entriesUsed() * FormatInfo.LOG_ENTRY_SIZE);
        out.printf("  Log size (total bytes)    %d%n", sb.logLen());
        if (t.collisions() > 0) {
            out.printf("ERROR: %d ALLOCATION COLLISIONS FOUND%n", t.collisions());
        } else {
            out.printf("  No allocation errors found%n%n");
        }
        out.println("Capacity:");
        long free = t.bitmapCapacity() - t.allocatedBytes();
        if (human) {
            out.printf("  Device capacity:        %s%n", g(capacity));
            out.printf("  Bitmap capacity:        %s%n", g(t.bitmapCapacity()));
            out.printf("  Sum of file sizes:      %s%n", g(t.fileBytes()));
            out.printf("  Allocated space:        %s%n", g(t.allocatedBytes()));
            out.printf("  Free space:             %sG%n",
                    cFixed(((float) t.bitmapCapacity() - (float) t.allocatedBytes()) / (float) (1L << 30), 2));
        } else {
            out.printf("  Device capacity:        %d%n", capacity);
            out.printf("  Bitmap capacity:        %d%n", t.bitmapCapacity());
            out.printf("  Sum of file sizes:      %d%n", t.fileBytes());
            out.printf("  Allocated bytes:        %d%n", t.allocatedBytes());
            out.printf("  Free space:             %d%n", free);
        }
        out.printf("  Space amplification:     %s%n", c2f(t.spaceAmplification()));
        out.printf("  Percent used:            %s%%%n", cFixed(t.percentUsed(), 1));
        // ours: the data area alone, over the files replay applied
        if (human) {
            out.printf("  Allocated to files:     %s%n", g(r.allocatedBytes()));
        } else {
            out.printf("  Allocated to files:     %d%n", r.allocatedBytes());
        }
        double amp = r.spaceAmplification();
        out.printf("  File space amplification: %s%n%n", Double.isNaN(amp) ? "n/a" : c2f(amp));
        out.println("Famfs log:");
        out.printf("  %d of %d entries used%n", r.entriesUsed(), r.entriesTotal());
        out.printf("  %d bad log entries detected%n", r.badEntries());
        out.printf("  %d files%n  %d directories%n%n", t.files(), t.directories());
        if (detail) {
            out.println("Verbose:");
            out.printf("  log_offset:        %d%n", sb.logOffset());
            out.printf("  log_len:           %d%n", sb.logLen());
            out.printf("  sizeof(log header) %d%n", FormatInfo.LOG_HEADER_SIZE);
            out.printf("  sizeof(log_entry)  %d%n", FormatInfo.LOG_ENTRY_SIZE);
            out.printf("  last_log_index:    %d%n", r.entriesTotal() - 1);
            out.printf("  usable log size:   %d%n", FormatInfo.LOG_HEADER_SIZE + r.entriesTotal() * FormatInfo.LOG_ENTRY_SIZE);
            out.printf("  alloc_unit:        %d%n", sb.allocUnit());
            out.printf("  format version:    %d%n%n", sb.version());
        }
    }
}
