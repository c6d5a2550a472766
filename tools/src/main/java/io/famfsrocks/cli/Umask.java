package io.famfsrocks.cli;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.FamfsException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * This process's umask, which the reference applies to the mode of {@code creat} and
 * {@code cp} (not {@code mkdir}). Java has no call for it: Linux 4.7 and later show it
 * in the {@code Umask:} line of {@code /proc/self/status}; elsewhere a child
 * {@code sh -c umask}, which inherits it, prints it. Reading never changes it (the
 * reference sets and restores it, which is racy in a threaded process).
 */
final class Umask {
    private static final Path STATUS = Path.of("/proc/self/status");

    private Umask() {}

    /** The umask (e.g. {@code 022}); IO when neither source answers. */
    static int current() {
        try {
            Integer fromProc = parseStatus(Files.readAllLines(STATUS, StandardCharsets.UTF_8));
            if (fromProc != null) {
                return fromProc;
            }
        } catch (IOException | SecurityException e) {
            // no /proc: ask a shell
        }
        return fromShell();
    }

    /** The value of the {@code Umask:} line of a {@code /proc/PID/status} (octal), or null. */
    static Integer parseStatus(List<String> lines) {
        for (String l : lines) {
            if (l.startsWith("Umask:")) {
                return Integer.parseInt(l.substring("Umask:".length()).trim(), 8) & 0777;
            }
        }
        return null;
    }

    static int fromShell() {
        try {
            Process p = new ProcessBuilder("sh", "-c", "umask").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0 || !out.matches("[0-7]{1,4}")) {
                throw new FamfsException(ErrorKind.IO, "cannot read the umask: 'sh -c umask' printed '" + out + "'");
            }
            return Integer.parseInt(out, 8) & 0777;
        } catch (IOException e) {
            throw new FamfsException(ErrorKind.IO, "cannot read the umask (no /proc/self/status, no sh): "
                    + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FamfsException(ErrorKind.IO, "interrupted while reading the umask", e);
        }
    }
}
