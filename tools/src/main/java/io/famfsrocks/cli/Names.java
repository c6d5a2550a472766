package io.famfsrocks.cli;

/**
 * Names as the listing verbs print them: control characters (ESC, newline, tab, DEL, ...)
 * and backslash escaped as GNU {@code ls -b} does ({@code \033}, {@code \n}, {@code \\}), so
 * that a hostile name can neither drive the terminal nor forge extra output lines. Stateless.
 */
public final class Names {
    private Names() {}

    public static String printable(String name) {
        StringBuilder b = null;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            String esc = switch (c) {
                case '\\' -> "\\\\";
                case '\n' -> "\\n";
                case '\t' -> "\\t";
                case '\r' -> "\\r";
                default -> c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) ? String.format("\\%03o", (int) c) : null;
            };
            if (esc != null && b == null) {
                b = new StringBuilder(name.length() + 8).append(name, 0, i);
            }
            if (b != null) {
                if (esc != null) {
                    b.append(esc);
                } else {
                    b.append(c);
                }
            }
        }
        return b == null ? name : b.toString();
    }
}
