package io.famfsrocks.famfs.fuse;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.FamfsException;
import io.famfsrocks.famfs.fs.Famfs;
import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.famfs.fs.OpenOptions;

import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A live FUSE mount of a famfs volume. {@link #mount} returns once the kernel serves the
 * mount point; requests are served on the binding's threads until {@link #close()} (or an
 * external {@code umount}, or JVM exit: a shutdown hook unmounts). The mount starts the
 * volume's follower ({@link FamfsVolume#follow}) so that files the master creates, from
 * any process or host, appear within {@link Options#pollMicros()}; a lookup that misses
 * also reads the log at once.
 *
 * <p>The caller keeps owning the volume and must close it only after the mount: serving
 * reads from an unmapped device would crash the process. Thread-safe; {@link #close()}
 * is idempotent.
 *
 * <p>Never read through this mount from the process that serves it: a reader's fault that
 * waits for FUSE threads of its own process can hang it for good (issue 13). Readers use a
 * mount served by another process ({@link ChildMount}, {@link MountMain}); in-process mounts
 * are for tests that only look at names and attributes, and for the mount server itself.
 * Historically: Java code must not touch a {@code MappedByteBuffer} of this mount
 * in the JVM that serves it. A page fault taken in Java code is not at a safepoint; if a
 * GC safepoint starts meanwhile, the serving thread blocks on it while the faulting thread
 * waits for the serving thread: the JVM hangs (seen in the benchmark). Reads through
 * {@code FileChannel} and native readers (RocksDB over JNI, including
 * {@code allow_mmap_reads}) are in native state and safe; Java programs that map files
 * should use a mount served by another process ({@link MountMain}).
 */
public final class FamfsMount implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(FamfsMount.class.getName());

    /**
     * How to mount.
     *
     * @param readOnly refuse every change even on the master (clients are always read-only)
     * @param allowOther let users other than the mounter in ({@code allow_other})
     * @param keepCache keep page-cached data across opens (files are immutable once published)
     * @param pollMicros how often the follower reads the log for new names
     * @param readAheadKb read-ahead of the mount, for cold sequential reads
     * @param mountTimeoutMillis how long to wait for the kernel to accept the mount
     * @param debug libfuse debug output on stderr
     * @param binding the FUSE binding: {@code auto}, {@code jnr} or {@code fuse3} ({@link FuseBindings});
     *     the default is the system property {@value FuseBindings#PROPERTY}, else {@code auto}
     */
    public record Options(boolean readOnly, boolean allowOther, boolean keepCache, long pollMicros,
                          int readAheadKb, long mountTimeoutMillis, boolean debug, String binding) {
        public static Options defaults() {
            return new Options(false, false, true, 1000, 1024, 10_000, false, FuseBindings.wanted());
        }

        public Options withBinding(String b) {
            return new Options(readOnly, allowOther, keepCache, pollMicros, readAheadKb, mountTimeoutMillis, debug, b);
        }

        public Options withReadOnly(boolean ro) {
            return new Options(ro, allowOther, keepCache, pollMicros, readAheadKb, mountTimeoutMillis, debug, binding);
        }

        public Options withAllowOther(boolean a) {
            return new Options(readOnly, a, keepCache, pollMicros, readAheadKb, mountTimeoutMillis, debug, binding);
        }

        public Options withKeepCache(boolean k) {
            return new Options(readOnly, allowOther, k, pollMicros, readAheadKb, mountTimeoutMillis, debug, binding);
        }

        public Options withPollMicros(long p) {
            return new Options(readOnly, allowOther, keepCache, p, readAheadKb, mountTimeoutMillis, debug, binding);
        }

        public Options withReadAheadKb(int kb) {
            return new Options(readOnly, allowOther, keepCache, pollMicros, kb, mountTimeoutMillis, debug, binding);
        }

        public Options withDebug(boolean d) {
            return new Options(readOnly, allowOther, keepCache, pollMicros, readAheadKb, mountTimeoutMillis, d, binding);
        }
    }

    private final Path mountPoint;
    private final String binding;
    private final FamfsFuseOps ops;
    private final Thread server;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread exitHook;
    private volatile long dev = -1;

    private FamfsMount(Path mountPoint, FamfsFuseOps ops, Thread server, String binding) {
        this.mountPoint = mountPoint;
        this.binding = binding;
        this.ops = ops;
        this.server = server;
        this.exitHook = new Thread(this::close, "famfs-unmount-" + mountPoint.getFileName());
    }

    /**
     * The one mount-and-serve: opens {@code device} in this host's role (read-only when
     * {@code opts} say so), mounts it, tells {@code onMounted}, and serves until the mount
     * ends (unmount, or a signal: the exit hook unmounts). Used by {@link MountMain} and the
     * CLI's {@code mount -f}.
     */
    public static void serve(Path device, Path mountPoint, OpenOptions open, Options opts,
                             Consumer<FamfsMount> onMounted) throws InterruptedException {
        try (FamfsVolume volume = opts.readOnly() ? Famfs.openReadOnly(device, open) : Famfs.open(device, open);
             FamfsMount mount = mount(volume, mountPoint, opts)) {
            onMounted.accept(mount);
            mount.await();
        }
    }

    /**
     * Mounts {@code volume} at {@code mountPoint} (created if missing; a stale mount a dead
     * daemon left there is cleared) and returns once the kernel serves it.
     *
     * @throws FamfsException BUSY when something live is mounted there, IO when FUSE fails
     */
    public static FamfsMount mount(FamfsVolume volume, Path mountPoint, Options opts) {
        volume.requireCompleteLog("mount"); // a corrupt log is the news, before any binding's trouble
        FuseBindings.Choice c = FuseBindings.choose(opts.binding());
        LOG.log(Level.INFO, "{0}: FUSE binding {1} ({2})", mountPoint, c.name(), c.why());
        return mount(volume, mountPoint, opts, c.name(), c.factory());
    }

    /** As {@link #mount(FamfsVolume, Path, Options)}, served by the binding {@code bindingFactory} makes. */
    public static FamfsMount mount(FamfsVolume volume, Path mountPoint, Options opts, String bindingName,
                                   Function<FamfsFuseOps, FuseBinding> bindingFactory) {
        volume.requireCompleteLog("mount");
        Path mp = mountPoint.toAbsolutePath().normalize();
        MountPoints.prepare(mp);
        volume.follow(opts.pollMicros());
        FamfsFuseOps ops = new FamfsFuseOps(volume, opts.readOnly(), opts.keepCache());
        FuseBinding binding = bindingFactory.apply(ops);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        String fsName = "famfs:" + volume.devicePath().toAbsolutePath();
        Thread server = new Thread(() -> {
            try {
                binding.serve(mp, opts, fsName);
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "famfs-fuse-" + mp.getFileName());
        server.setDaemon(true);
        FamfsMount m = new FamfsMount(mp, ops, server, bindingName);
        server.start();
        m.awaitMounted(opts.mountTimeoutMillis(), failure);
        m.dev = MountPoints.deviceOf(mp);
        if (!MountPoints.setReadAhead(m.dev, opts.readAheadKb())) {
            LOG.log(Level.DEBUG, "{0}: read-ahead left at the kernel default", mp);
        }
        Runtime.getRuntime().addShutdownHook(m.exitHook);
        return m;
    }

    private void awaitMounted(long timeoutMillis, AtomicReference<Throwable> failure) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        try {
            while (!ops.awaitInit(5)) {
                if (!server.isAlive() || System.nanoTime() > deadline) {
                    Throwable t = failure.get();
                    if (server.isAlive()) {
                        MountPoints.unmount(mountPoint, true);
                    }
                    throw new FamfsException(ErrorKind.IO, "cannot mount famfs at " + mountPoint + ": "
                            + (t != null ? rootMessage(t) : server.isAlive() ? "timed out" : "FUSE exited"), t);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            MountPoints.unmount(mountPoint, true);
            throw new FamfsException(ErrorKind.IO, "interrupted while mounting " + mountPoint, e);
        }
    }

    private static String rootMessage(Throwable t) {
        Throwable r = t;
        while (r.getCause() != null) {
            r = r.getCause();
        }
        return r == t ? String.valueOf(t.getMessage()) : t.getMessage() + ": " + r.getMessage();
    }

    /**
     * Clears the mount at {@code mp} if it is stale (its server died without unmounting: the
     * kernel answers ENOTCONN); a live mount is left alone.
     *
     * @return true when a stale mount was found and cleared
     */
    public static boolean clearIfStale(Path mp) {
        Path p = mp.toAbsolutePath().normalize();
        if (!MountPoints.isMountPoint(p) || !MountPoints.isStale(p)) {
            return false;
        }
        LOG.log(Level.WARNING, "{0}: stale FUSE mount left by a dead server; unmounting it", p);
        return MountPoints.unmount(p, true);
    }

    public Path mountPoint() {
        return mountPoint;
    }

    /** The FUSE binding serving this mount: {@code jnr} or {@code fuse3}. */
    public String binding() {
        return binding;
    }

    /** The file system being served (diagnostics, tests). */
    public FamfsFuseOps ops() {
        return ops;
    }

    /** Whether requests are still being served. */
    public boolean isMounted() {
        return server.isAlive();
    }

    /** Blocks until the mount ends (close, {@code umount}, or a signal): the foreground mode. */
    public void await() throws InterruptedException {
        server.join();
    }

    /**
     * Unmounts: a plain unmount, else a lazy one plus an abort of the connection, so that
     * nothing is served after this returns. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(exitHook);
        } catch (IllegalStateException | IllegalArgumentException shuttingDown) {
            // running as the hook, or the JVM is exiting
        }
        if (server.isAlive() && !MountPoints.unmount(mountPoint, false)) {
            MountPoints.unmount(mountPoint, true);
        }
        try {
            server.join(2000);
            if (server.isAlive()) {
                MountPoints.abort(dev); // a lazily detached mount still in use: stop serving now
                server.join(2000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (server.isAlive()) {
            LOG.log(Level.WARNING, "{0}: FUSE server thread did not stop", mountPoint);
        }
    }

    @Override
    public String toString() {
        return "FamfsMount[" + mountPoint + (ops.writable() ? ", rw" : ", ro") + ", " + binding + "]";
    }
}
