package io.famfsrocks.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.OptionalLong;

/**
 * Temporary files and directories named after the process that owns them, so that what a
 * process killed with SIGKILL left behind can be found and removed by the next one:
 * {@code <prefix><pid>-<start>-<random><suffix>} in {@code java.io.tmpdir}, where
 * {@code start} is the owner's start time in clock ticks since boot (field 22 of
 * {@code /proc/<pid>/stat}), so a reused pid is not taken for the owner. {@link #sweep}
 * removes only entries whose owner is dead (no such pid, a zombie, or another process
 * with that pid); a live process's entries are never touched. Names without an owner
 * (made before this scheme) are left alone: nobody can tell whether they are in use.
 * Stateless; thread-safe.
 */
public final class OwnedTemp {
    private OwnedTemp() {
    }

    static Path dir() {
        return Path.of(System.getProperty("java.io.tmpdir"));
    }

    /** {@code <pid>-<start>-} of this process. */
    private static String self() {
        long pid = ProcessHandle.current().pid();
        return pid + "-" + startTicks(pid).orElse(0) + "-";
    }

    /** A new directory owned by this process. */
    public static Path createDirectory(String prefix) throws IOException {
        return Files.createTempDirectory(dir(), prefix + self());
    }

    /** A new file owned by this process. */
    public static Path createFile(String prefix, String suffix) throws IOException {
        return Files.createTempFile(dir(), prefix + self(), suffix);
    }

    /**
     * Takes over {@code file} (named by {@link #createFile} for another process, e.g. a
     * parent that started this one): renames it to this process's name with the same
     * random part, and returns the new path (or {@code file} when it has no owner's name
     * or cannot be renamed).
     */
    public static Path adopt(Path file, String prefix) {
        String rest = randomPart(file.getFileName().toString(), prefix);
        if (rest == null) {
            return file;
        }
        Path own = file.resolveSibling(prefix + self() + rest);
        try {
            return Files.move(file, own);
        } catch (IOException e) {
            return file;
        }
    }

    /** {@code file}, or the name another process gave it when it adopted it; null when neither exists. */
    static Path findAdopted(Path file, String prefix) {
        if (Files.exists(file)) {
            return file;
        }
        String rest = randomPart(file.getFileName().toString(), prefix);
        if (rest == null) {
            return null;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(file.getParent(), prefix + "*-*-" + rest)) {
            for (Path p : ds) {
                if (rest.equals(randomPart(p.getFileName().toString(), prefix))) {
                    return p;
                }
            }
        } catch (IOException ignored) {
            // not found
        }
        return null;
    }

    /**
     * Removes the entries named {@code prefix...} whose owner is dead: directories with
     * everything in them (symbolic links are removed, not followed), unless
     * {@code emptyDirsOnly}, when a directory is only removed if empty (a mount point: a
     * stale mount is never walked). Best effort; returns how many entries were removed.
     */
    public static int sweep(String prefix, boolean emptyDirsOnly) {
        int removed = 0;
        if (stat(ProcessHandle.current().pid()) == null) {
            return 0; // no /proc: no owner can be told alive, so none is taken for dead
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir(), prefix + "*")) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (randomPart(name, prefix) == null || ownerAlive(name, prefix)) {
                    continue;
                }
                if (emptyDirsOnly || !Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    try {
                        Files.delete(p);
                        removed++;
                    } catch (IOException ignored) {
                        // not empty, busy, or removed meanwhile
                    }
                } else {
                    try (var s = Files.walk(p)) {
                        s.sorted(Comparator.reverseOrder()).forEach(q -> q.toFile().delete());
                    } catch (IOException | java.io.UncheckedIOException ignored) {
                        // removed meanwhile
                    }
                    removed += Files.exists(p) ? 0 : 1;
                }
            }
        } catch (IOException ignored) {
            // no temporary directory to sweep
        }
        return removed;
    }

    /** What follows {@code <prefix><pid>-<start>-} in {@code name}, or null if the name has no owner. */
    private static String randomPart(String name, String prefix) {
        if (!name.startsWith(prefix)) {
            return null;
        }
        String[] f = name.substring(prefix.length()).split("-", 3);
        if (f.length < 3 || f[2].isEmpty() || !f[0].matches("[0-9]{1,19}") || !f[1].matches("[0-9]{1,19}")) {
            return null;
        }
        return f[2];
    }

    private static boolean ownerAlive(String name, String prefix) {
        String[] f = name.substring(prefix.length()).split("-", 3);
        return alive(Long.parseLong(f[0]), Long.parseLong(f[1]));
    }

    /** Whether process {@code pid}, started at {@code start} ticks after boot, still runs (a zombie does not). */
    static boolean alive(long pid, long start) {
        String stat = stat(pid);
        if (stat == null) {
            return false;
        }
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // f[0] is field 3 (state), so field 22 (starttime) is f[19]
        return !f[0].equals("Z") && !f[0].equals("X") && f.length > 19 && f[19].equals(Long.toString(start));
    }

    /** The start time of process {@code pid} in clock ticks after boot, if it exists. */
    static OptionalLong startTicks(long pid) {
        String stat = stat(pid);
        if (stat == null) {
            return OptionalLong.empty();
        }
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return f.length > 19 ? OptionalLong.of(Long.parseLong(f[19])) : OptionalLong.empty();
    }

    private static String stat(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return null; // no such process
        }
    }
}
