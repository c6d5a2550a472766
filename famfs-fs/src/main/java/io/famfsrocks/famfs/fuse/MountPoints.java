package io.famfsrocks.famfs.fuse;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.FamfsException;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Mount-point chores around a FUSE mount: finding and clearing a stale mount a killed
 * daemon left ({@code ENOTCONN} on stat), unmounting, aborting a connection, and
 * tuning the mount's read-ahead. Stateless, thread-safe.
 */
final class MountPoints {
    private static final System.Logger LOG = System.getLogger(MountPoints.class.getName());
    private static final String NOT_CONNECTED = "Transport endpoint is not connected";

    private MountPoints() {}

    /**
     * Makes {@code mp} ready to mount on: creates it if missing, clears a stale FUSE mount,
     * and refuses one that is live.
     */
    static void prepare(Path mp) {
        if (isMountPoint(mp)) {
            if (!isStale(mp)) {
                throw new FamfsException(ErrorKind.BUSY, mp + " is already a mount point (unmount it first)");
            }
            LOG.log(Level.WARNING, "{0}: stale FUSE mount left by a dead daemon; unmounting it", mp);
            unmount(mp, true);
            if (isMountPoint(mp)) {
                throw new FamfsException(ErrorKind.BUSY, "cannot clear the stale mount at " + mp);
            }
        }
        try {
            if (!Files.readAttributes(mp, BasicFileAttributes.class).isDirectory()) {
                throw new FamfsException(ErrorKind.NOT_A_DIRECTORY, "mount point " + mp + " is not a directory");
            }
        } catch (NoSuchFileException e) {
            try {
                Files.createDirectories(mp);
            } catch (IOException e2) {
                throw new FamfsException(ErrorKind.IO, "cannot create mount point " + mp + ": " + e2.getMessage(), e2);
            }
        } catch (IOException e) {
            throw new FamfsException(ErrorKind.IO, "cannot use mount point " + mp + ": " + e.getMessage(), e);
        }
    }

    /**
     * Whether {@code mp} is a mount whose daemon is gone. Stat alone cannot tell (the kernel
     * answers it from cached attributes), so this opens the directory, which always asks
     * the daemon.
     */
    static boolean isStale(Path mp) {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(mp)) {
            return false;
        } catch (IOException e) {
            return isNotConnected(e);
        }
    }

    private static boolean isNotConnected(IOException e) {
        return e instanceof FileSystemException fse && NOT_CONNECTED.equals(fse.getReason());
    }

    /** Whether {@code mp} appears as a mount point in this process's mount table. */
    static boolean isMountPoint(Path mp) {
        String want = mp.toAbsolutePath().normalize().toString();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] f = line.split(" ");
                if (f.length > 4 && unescape(f[4]).equals(want)) {
                    return true;
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    private static String unescape(String s) {
        return s.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
    }

    /**
     * Unmounts {@code mp}: a plain unmount first; if it is busy (or {@code lazy}) a lazy
     * one, which detaches the name at once.
     *
     * @return true when {@code mp} is no longer mounted
     */
    static boolean unmount(Path mp, boolean lazy) {
        String p = mp.toString();
        if (!lazy && (run("fusermount", "-u", "-q", p) || run("umount", p))) {
            return true;
        }
        return run("fusermount", "-u", "-z", "-q", p) || run("umount", "-l", p) || !isMountPoint(mp);
    }

    /**
     * Aborts the FUSE connection of the mount whose {@code st_dev} is {@code dev} (through
     * fusectl, root only): every pending and later request fails, and the daemon's loop
     * ends. Best effort.
     */
    static void abort(long dev) {
        Path ctl = Path.of("/sys/fs/fuse/connections");
        try {
            if (Files.isDirectory(ctl) && !Files.exists(ctl.resolve(Long.toString(dev)))) {
                run("mount", "-t", "fusectl", "fusectl", ctl.toString());
            }
            Path abort = ctl.resolve(Long.toString(dev)).resolve("abort");
            if (Files.exists(abort)) {
                Files.writeString(abort, "1");
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.DEBUG, "cannot abort FUSE connection {0}: {1}", dev, e.getMessage());
        }
    }

    /** The mount's device number as the kernel encodes it ({@code st_dev}), or -1. */
    static long deviceOf(Path mp) {
        try {
            return ((Number) Files.getAttribute(mp, "unix:dev")).longValue();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Sets the read-ahead of the mount's backing device info; false when it cannot. */
    static boolean setReadAhead(long dev, int kb) {
        if (dev < 0 || kb <= 0) {
            return false;
        }
        long major = ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL);
        long minor = (dev & 0xff) | ((dev >>> 12) & ~0xffL);
        for (String name : List.of(major + ":" + minor, major + ":" + minor + "-fuseblk")) {
            Path ra = Path.of("/sys/class/bdi", name, "read_ahead_kb");
            if (Files.exists(ra)) {
                try {
                    Files.writeString(ra, Integer.toString(kb));
                    return true;
                } catch (IOException e) {
                    LOG.log(Level.DEBUG, "cannot set {0}: {1}", ra, e.getMessage());
                    return false;
                }
            }
        }
        return false;
    }

    /** Runs a command quietly; true when it exits 0 within 10 s. */
    static boolean run(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
