package io.famfsrocks.famfs.format;

import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.FamfsException;

import java.nio.charset.StandardCharsets;

/**
 * The names famfs can store: relative to the volume root, at most
 * {@link FamfsLayout#MAX_NAME_BYTES} bytes of UTF-8, with no empty, {@code .} or
 * {@code ..} components and no NUL. The reference truncates long names silently; we
 * refuse them.
 */
public final class FamfsPaths {
    private FamfsPaths() {}

    /** Why {@code p} is not a storable path, or {@code null} if it is. */
    public static String problem(String p) {
        if (p == null || p.isEmpty()) {
            return "empty path";
        }
        if (p.indexOf('\0') >= 0) {
            return "contains NUL";
        }
        if (p.startsWith("/")) {
            return "absolute path; famfs paths are relative to the volume root";
        }
        int bytes = p.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > FamfsLayout.MAX_NAME_BYTES) {
            return "path is " + bytes + " bytes; famfs stores at most " + FamfsLayout.MAX_NAME_BYTES;
        }
        for (String c : p.split("/", -1)) {
            if (c.isEmpty()) {
                return "empty path component";
            }
            if (c.equals("..") || c.equals(".")) {
                return "'" + c + "' component";
            }
        }
        return null;
    }

    /** Returns {@code p} normalised (leading and trailing {@code /} dropped) or throws BAD_NAME. */
    public static String check(String p) {
        String s = p == null ? "" : p;
        while (s.endsWith("/") && s.length() > 1) {
            s = s.substring(0, s.length() - 1);
        }
        String problem = problem(s);
        if (problem != null) {
            throw new FamfsException(ErrorKind.BAD_NAME, "bad famfs path '" + p + "': " + problem);
        }
        return s;
    }

    /** Strips a leading {@code /} so that volume-rooted paths ({@code /a/b}) are accepted as relative. */
    public static String relative(String p) {
        String s = p;
        while (s.startsWith("/")) {
            s = s.substring(1);
        }
        return s;
    }

    public static String parent(String p) {
        int i = p.lastIndexOf('/');
        return i < 0 ? "" : p.substring(0, i);
    }

    public static String name(String p) {
        return p.substring(p.lastIndexOf('/') + 1);
    }
}
