package io.famfsrocks.cli;

import io.famfsrocks.famfs.fs.Famfs;
import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.famfs.fs.MasterVolume;
import io.famfsrocks.famfs.fs.OpenOptions;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * Base of every verb: the options all verbs share ({@code --system-uuid}, {@code --verbose},
 * {@code --help}), the output streams, and the ways to open a volume.
 */
public abstract class Verb implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--system-uuid", paramLabel = "UUID",
            description = "This host's system UUID (default: $FAMFS_SYSTEM_UUID, else /opt/famfs/system_uuid). "
                    + "The master is the host whose UUID is in the superblock.")
    String systemUuid;

    @Option(names = "--verbose", description = "Print the stack trace of an error (and more detail where useful).")
    boolean verbose;

    @Option(names = "--coherence", paramLabel = "NAME",
            description = "How this host keeps the shared memory's caches right: coherent (hardware-coherent "
                    + "memory: nothing to do), cpu-flush (write back with clwb/clflushopt and invalidate with "
                    + "clflushopt around every shared access, for memory that is not coherent; x86-64), msync, "
                    + "or model (the test model). Default: $FAMFS_COHERENCE, else coherent.")
    String coherence;

    @Option(names = {"--help", "-?"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    protected Context context = Context.system();

    /** Runs the verb; returns an exit code, throws engine or CLI exceptions. */
    protected abstract ExitCode run() throws Exception;

    @Override
    public final Integer call() throws Exception {
        if (coherence == null) {
            return runVerb();
        }
        try (OpenOptions.Scope s = OpenOptions.useCoherence(coherence)) {
            return runVerb();
        }
    }

    private int runVerb() throws Exception {
        ExitCode c = run();
        out().flush();
        return c.code();
    }

    protected boolean verbose() {
        return verbose;
    }

    protected PrintWriter out() {
        return spec.commandLine().getOut();
    }

    protected PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** A warning or note on stderr, in the same shape as errors. */
    protected void warn(String message) {
        err().println(Main.NAME + ": " + message);
        err().flush();
    }

    protected OpenOptions openOptions() {
        return OpenOptions.defaults().withSystemUuid(systemUuid);
    }

    protected MountTable mounts() {
        return context.mounts().get();
    }

    /** Opens read-only; CORRUPT_MEDIA when replay stopped at a bad entry (what follows it is unknown). */
    protected FamfsVolume openReadOnly(Path device) {
        return complete(Famfs.openReadOnly(device, openOptions()), "read");
    }

    protected MasterVolume openMaster(Path device) {
        return complete(Famfs.openMaster(device, openOptions()), "write");
    }

    private static <V extends FamfsVolume> V complete(V v, String purpose) {
        try {
            v.requireCompleteLog(purpose);
            return v;
        } catch (RuntimeException e) {
            v.close();
            throw e;
        }
    }

    Target target(DeviceOption d, String path) {
        return Target.resolve(d.device(), path, mounts(), context.defaultDevicePath());
    }

    Path volume(DeviceOption d, String arg) {
        return Target.volume(d.device(), arg, mounts(), context.defaultDevicePath());
    }

    /** This process's effective uid/gid, the defaults for new files (as the reference). */
    static int currentId(String attr) {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:" + attr);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
