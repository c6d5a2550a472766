package io.famfsrocks.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a command acts: a device and a path relative to the volume root. Found either from
 * {@code --device} (the path is then volume-relative, a leading {@code /} allowed) or from
 * the mount table (the path lies inside a mounted famfs). Immutable.
 *
 * @param relative volume-relative path, {@code ""} for the root
 */
public record Target(Path device, String relative) {

    /**
     * Resolves {@code path}: against {@code device} (an explicit {@code --device}) when
     * given; else through the famfs mount that contains it; else against
     * {@code fallback} ({@code $FAMFS_DEVICE}) as a volume-relative path.
     */
    public static Target resolve(Path device, String path, MountTable mounts, Path fallback) {
        String p = path == null ? "" : path;
        if (device != null) {
            return new Target(device, stripSlashes(p));
        }
        Path abs = canonical(Path.of(p.isEmpty() ? "." : p));
        Optional<MountTable.Mount> m = mounts.containing(abs);
        if (m.isPresent()) {
            return new Target(m.get().device(), m.get().mountPoint().relativize(abs).toString());
        }
        if (fallback != null) {
            return new Target(fallback, stripSlashes(p));
        }
        throw new CliException(ExitCode.NOT_FAMFS, "'" + p + "' is not inside a mounted famfs; pass "
                + "--device DEVICE (or set FAMFS_DEVICE) and a path relative to the volume root");
    }

    public static Target resolve(Path device, String path, MountTable mounts) {
        return resolve(device, path, mounts, null);
    }

    /**
     * Resolves an argument that names a device or any path inside a mounted famfs (fsck,
     * df, logplay): {@code --device}, else the argument (through its mount, else as a
     * device), else {@code fallback} ({@code $FAMFS_DEVICE}).
     */
    public static Path volume(Path device, String arg, MountTable mounts, Path fallback) {
        if (device != null && arg != null) {
            throw new CliException(ExitCode.USAGE, "give either DEVICE|PATH or --device, not both");
        }
        if (device != null) {
            return device;
        }
        if (arg != null) {
            Path abs = canonical(Path.of(arg));
            return mounts.containing(abs).map(MountTable.Mount::device).orElse(Path.of(arg));
        }
        if (fallback != null) {
            return fallback;
        }
        throw new CliException(ExitCode.USAGE, "name a device or a path inside a mounted famfs "
                + "(or pass --device DEVICE, or set FAMFS_DEVICE)");
    }

    public static Path volume(Path device, String arg, MountTable mounts) {
        return volume(device, arg, mounts, null);
    }

    /**
     * Absolute, normalised, with symbolic links resolved in the part that exists (the rest
     * may be a file about to be created).
     */
    static Path canonical(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        Path existing = abs;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return abs;
        }
        try {
            return existing.toRealPath().resolve(existing.relativize(abs)).normalize();
        } catch (IOException e) {
            return abs;
        }
    }

    private static String stripSlashes(String p) {
        String s = p;
        while (s.startsWith("/")) {
            s = s.substring(1);
        }
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        return s.equals(".") ? "" : s;
    }

    /** Display form: {@code /a/b} (volume-rooted). */
    public String display() {
        return "/" + relative;
    }
}
