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
        int bytes = utf8Length(p);
        if (bytes > FamfsLayout.MAX_NAME_BYTES) {
            return "path is " + bytes + " bytes; famfs stores at most " + FamfsLayout.MAX_NAME_BYTES;
        }
        int start = 0;
        for (int i = 0; i <= p.length(); i++) {
            if (i == p.length() || p.charAt(i) == '/') {
                int len = i - start;
                if (len == 0) {
                    return "empty path component";
                }
                if ((len == 1 || len == 2) && p.charAt(start) == '.' && (len == 1 || p.charAt(start + 1) == '.')) {
                    return "'" + p.substring(start, i) + "' component";
                }
                start = i + 1;
            }
        }
        return null;
    }

    /**
     * The path a stored spelling with empty ({@code a//b}, trailing {@code /}) or {@code .}
     * components stands for, or {@code null} when {@code p} needs no such reading or has
     * another problem. The reference {@code creat} logs the path it is given verbatim, and
     * its logplay resolves each entry's path below the mount point ({@code realpath}), so
     * {@code names//double} and {@code names/./dot} name {@code names/double} and
     * {@code names/dot}; readers do the same. {@code ..}, absolute paths and anything that
     * is still not a storable path afterwards stay refused. Writers never produce these
     * spellings ({@link #check} refuses them).
     */
    public static String readable(String p) {
        if (p == null || p.isEmpty() || p.startsWith("/") || problem(p) == null) {
            return null;
        }
        StringBuilder sb = new StringBuilder(p.length());
        for (String c : p.split("/", -1)) {
            if (c.isEmpty() || c.equals(".")) {
                continue;
            }
            if (sb.length() > 0) {
                sb.append('/');
            }
            sb.append(c);
        }
        String n = sb.toString();
        return problem(n) == null ? n : null;
    }

    private static int utf8Length(String p) {
        for (int i = 0; i < p.length(); i++) {
            if (p.charAt(i) >= 0x80) {
                return p.getBytes(StandardCharsets.UTF_8).length;
            }
        }
        return p.length();
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
