package io.famfsrocks.famfs.fuse;

import io.famfsrocks.famfs.FamfsException;
import io.famfsrocks.famfs.fs.OpenOptions;

import java.nio.file.Path;

/**
 * Mounts a famfs device in the foreground until unmounted or signalled (SIGTERM, SIGINT):
 * {@code MountMain DEVICE MOUNTPOINT [--system-uuid UUID] [--read-only] [--allow-other] [--debug]
 * [--binding auto|jnr|fuse3] [--exit-with-parent]}. With {@code --exit-with-parent} it unmounts and exits when its
 * stdin ends: the pipe from the parent that supervises it ({@link ChildMount}) closes
 * when that parent dies, even by SIGKILL.
 * Prints {@code MOUNTED <mountpoint> master|client <binding>} on stdout once the mount serves
 * ({@code <binding>} is {@code jnr} or {@code fuse3}, see {@link FuseBindings}).
 * The CLI wraps {@link #run}; exit codes: 0 unmounted cleanly, 1 error, 2 usage.
 * Stateless and thread-safe; each call serves its own mount.
 */
public final class MountMain {
    private MountMain() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Parses {@code args}, mounts, blocks until the mount ends, and returns the exit code. */
    public static int run(String[] args) {
        String device = null;
        String mp = null;
        String uuid = null;
        FamfsMount.Options opts = FamfsMount.Options.defaults();
        boolean exitWithParent = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--system-uuid" -> {
                    if (++i == args.length) {
                        return usage("--system-uuid needs a value");
                    }
                    uuid = args[i];
                }
                case "--read-only" -> opts = opts.withReadOnly(true);
                case "--allow-other" -> opts = opts.withAllowOther(true);
                case "--debug" -> opts = opts.withDebug(true);
                case "--binding" -> {
                    if (++i == args.length) {
                        return usage("--binding needs a value (auto, jnr or fuse3)");
                    }
                    opts = opts.withBinding(args[i]);
                }
                case "--exit-with-parent" -> exitWithParent = true;
                default -> {
                    if (args[i].startsWith("--")) {
                        return usage("unknown option " + args[i]);
                    } else if (device == null) {
                        device = args[i];
                    } else if (mp == null) {
                        mp = args[i];
                    } else {
                        return usage("unexpected argument " + args[i]);
                    }
                }
            }
        }
        if (mp == null) {
            return usage("need a device and a mount point");
        }
        if (exitWithParent) {
            String where = mp;
            Thread watch = new Thread(() -> {
                try {
                    while (System.in.read() >= 0) {
                        // the parent writes nothing; EOF means it is gone
                    }
                } catch (java.io.IOException ignored) {
                    // treated as EOF
                }
                System.err.println("famfs mount: the supervising process is gone; unmounting " + where);
                System.exit(0); // the mount's exit hook unmounts
            }, "famfs-mount-parent-watch");
            watch.setDaemon(true);
            watch.start();
        }
        return mountAndWait(Path.of(device), Path.of(mp), OpenOptions.defaults().withSystemUuid(uuid), opts);
    }

    /** Opens the volume in this host's role, mounts it and serves until the mount ends. */
    public static int mountAndWait(Path device, Path mountPoint, OpenOptions open, FamfsMount.Options opts) {
        try {
            FamfsMount.serve(device, mountPoint, open, opts, mount -> {
                System.out.println("MOUNTED " + mount.mountPoint() + " " + (mount.ops().writable() ? "master" : "client")
                        + " " + mount.binding());
                System.out.flush();
            });
            return 0;
        } catch (FamfsException e) {
            System.err.println("famfs mount: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    private static int usage(String why) {
        System.err.println("famfs mount: " + why);
        System.err.println("usage: MountMain DEVICE MOUNTPOINT [--system-uuid UUID] [--read-only] [--allow-other] [--debug] "
                + "[--binding auto|jnr|fuse3] [--exit-with-parent]");
        return 2;
    }
}
