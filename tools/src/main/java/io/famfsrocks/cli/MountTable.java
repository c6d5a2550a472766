package io.famfsrocks.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The famfs mounts in the mount table. Convention shared with the FUSE adapter: a famfs
 * FUSE mount sets {@code fsname=famfs:<device path>} (absolute), so the table's source
 * field names the device; its type is {@code fuse} or {@code fuse.<subtype>}. Immutable.
 */
public final class MountTable {
    public static final String FSNAME_PREFIX = "famfs:";
    public static final Path DEFAULT_TABLE = Path.of("/proc/self/mounts");

    /** One famfs mount: the device it serves and where. */
    public record Mount(Path device, Path mountPoint) {}

    private final List<Mount> mounts;

    private MountTable(List<Mount> mounts) {
        this.mounts = List.copyOf(mounts);
    }

    public static MountTable read() {
        return read(DEFAULT_TABLE);
    }

    public static MountTable read(Path table) {
        try {
            return parse(Files.readAllLines(table));
        } catch (IOException e) {
            return new MountTable(List.of()); // no /proc: nothing is mounted as far as we can tell
        }
    }

    public static MountTable parse(List<String> lines) {
        List<Mount> out = new ArrayList<>();
        for (String line : lines) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 3) {
                continue;
            }
            String source = unescape(f[0]);
            if (!source.startsWith(FSNAME_PREFIX) || !(f[2].equals("fuse") || f[2].startsWith("fuse."))) {
                continue;
            }
            out.add(new Mount(Path.of(source.substring(FSNAME_PREFIX.length())), Path.of(unescape(f[1]))));
        }
        return new MountTable(out);
    }

    public List<Mount> mounts() {
        return mounts;
    }

    /** The innermost famfs mount containing {@code absolute} (a normalised absolute path). */
    public Optional<Mount> containing(Path absolute) {
        Mount best = null;
        for (Mount m : mounts) {
            if (absolute.startsWith(m.mountPoint())
                    && (best == null || m.mountPoint().getNameCount() > best.mountPoint().getNameCount())) {
                best = m;
            }
        }
        return Optional.ofNullable(best);
    }

    /** Where {@code device} is mounted, if it is. */
    public Optional<Mount> ofDevice(Path device) {
        Path d = Target.canonical(device);
        return mounts.stream().filter(m -> Target.canonical(m.device()).equals(d)).findFirst();
    }

    /** The table escapes space, tab, newline and backslash as {@code \ooo}. */
    static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length() + 0 && s.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                sb.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
