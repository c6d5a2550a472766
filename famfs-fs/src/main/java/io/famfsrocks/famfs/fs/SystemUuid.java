package io.famfsrocks.famfs.fs;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.FamfsException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * This host's identity. The reference keeps it in {@code /opt/famfs/system_uuid} (36
 * characters), created on first use. Several processes on one machine can act as separate
 * hosts by overriding it: an explicit value first, then {@value #ENV}, then the file.
 */
public final class SystemUuid {
    public static final String ENV = "FAMFS_SYSTEM_UUID";
    public static final Path DEFAULT_FILE = Path.of("/opt/famfs/system_uuid");

    private SystemUuid() {}

    /** This process's host UUID: {@code override} if given, else the environment, else the file. */
    public static UUID resolve(String override) {
        if (override != null && !override.isBlank()) {
            return parse(override, "--system-uuid");
        }
        String env = System.getenv(ENV);
        if (env != null && !env.isBlank()) {
            return parse(env, ENV);
        }
        return fromFile(DEFAULT_FILE);
    }

    /**
     * This process's host UUID for read-only use: like {@link #resolve} but never creates
     * the file; a host without one is a client (as the reference treats it), shown as the
     * nil UUID.
     */
    public static UUID resolveForReading(String override) {
        if ((override != null && !override.isBlank()) || (System.getenv(ENV) != null && !System.getenv(ENV).isBlank())
                || Files.isReadable(DEFAULT_FILE)) {
            return resolve(override);
        }
        return new UUID(0, 0);
    }

    /** Reads the file, creating it with a random UUID if it is missing, as the reference does. */
    public static UUID fromFile(Path file) {
        try {
            if (Files.exists(file)) {
                return parse(Files.readString(file, StandardCharsets.US_ASCII).trim(), file.toString());
            }
            UUID u = UUID.randomUUID();
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp" + ProcessHandle.current().pid());
            Files.writeString(tmp, u + "\n", StandardCharsets.US_ASCII);
            try {
                Files.move(tmp, file);
            } catch (java.nio.file.FileAlreadyExistsException raced) {
                Files.deleteIfExists(tmp);
                return fromFile(file);
            }
            return u;
        } catch (IOException e) {
            throw new FamfsException(ErrorKind.IO, "cannot read or create the system UUID file " + file
                    + ": " + e.getMessage() + " (set " + ENV + " to override)", e);
        }
    }

    private static UUID parse(String s, String source) {
        try {
            return UUID.fromString(s.trim());
        } catch (IllegalArgumentException e) {
            throw new FamfsException(ErrorKind.INVALID_ARGUMENT, "bad system UUID '" + s + "' from " + source);
        }
    }
}
