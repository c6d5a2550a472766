package io.famfsrocks.cli;

import picocli.CommandLine;

import java.util.Locale;

/** Argument converters: sizes with k/m/g/t suffixes (1024-based), octal modes, numeric ids. */
public final class Sizes {
    private Sizes() {}

    /** Parses {@code 4096}, {@code 8m}, {@code 1G}, {@code 2t}, {@code 0x200000}; at most 2^63-1. */
    public static long parse(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        if (t.endsWith("ib")) {
            t = t.substring(0, t.length() - 2);
        } else if (t.length() > 1 && t.endsWith("b") && "kmgt".indexOf(t.charAt(t.length() - 2)) >= 0) {
            t = t.substring(0, t.length() - 1);
        }
        int shift = 0;
        if (!t.isEmpty() && !t.startsWith("0x")) {
            switch (t.charAt(t.length() - 1)) {
                case 'k' -> shift = 10;
                case 'm' -> shift = 20;
                case 'g' -> shift = 30;
                case 't' -> shift = 40;
                default -> shift = 0;
            }
        }
        if (shift != 0) {
            t = t.substring(0, t.length() - 1);
        }
        long n;
        try {
            n = t.startsWith("0x") ? Long.parseLong(t.substring(2), 16) : Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' is not a size (examples: 4096, 64k, 8m, 1g, 2t)");
        }
        if (n < 0) {
            throw new IllegalArgumentException("size '" + s + "' is negative");
        }
        if (shift > 0 && n > (Long.MAX_VALUE >> shift)) {
            throw new IllegalArgumentException("size '" + s + "' is too large");
        }
        return n << shift;
    }

    /** Human form with a binary suffix, e.g. {@code 1.00G}; plain bytes under 1 KiB. */
    public static String human(long n) {
        String[] units = {"K", "M", "G", "T", "P"};
        if (Math.abs(n) < 1024) {
            return Long.toString(n);
        }
        double v = n;
        int u = -1;
        while (Math.abs(v) >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.2f%s", v, units[u]);
    }

    public static final class SizeConverter implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    public static final class ModeConverter implements CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            try {
                int m = Integer.parseInt(value, 8);
                if (m < 0 || m > 07777) {
                    throw new NumberFormatException();
                }
                return m;
            } catch (NumberFormatException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not an octal mode (examples: 644, 0755)");
            }
        }
    }

    public static final class IdConverter implements CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            try {
                long v = Long.parseLong(value);
                if (v < 0 || v > 0xffffffffL) {
                    throw new NumberFormatException();
                }
                return (int) v;
            } catch (NumberFormatException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a numeric uid/gid");
            }
        }
    }
}
