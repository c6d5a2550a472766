package io.famfsrocks.cli.rocks;

import io.famfsrocks.cli.CliException;
import io.famfsrocks.cli.ExitCode;
import io.famfsrocks.cli.KeyText;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * How keys and values are written on the command line: utf8 (default), hex or base64
 * (either alphabet in, URL-safe out: {@link KeyText}). Bytes that are not UTF-8 are never
 * printed as utf8 (they would come back as other bytes). Stateless.
 */
enum KeyEncoding {
    UTF8, HEX, BASE64;

    byte[] decode(String s) {
        try {
            return switch (this) {
                case UTF8 -> s.getBytes(StandardCharsets.UTF_8);
                case HEX -> HexFormat.of().parseHex(s);
                case BASE64 -> KeyText.decodeBase64(s);
            };
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCode.USAGE, "'" + s + "' is not valid " + name().toLowerCase() + ": " + e.getMessage());
        }
    }

    /** The bytes as text; USAGE when utf8 is asked for bytes that are not UTF-8. */
    String encode(byte[] b) {
        return switch (this) {
            case UTF8 -> utf8(b);
            case HEX -> HexFormat.of().formatHex(b);
            case BASE64 -> KeyText.encodeBase64(b);
        };
    }

    private static String utf8(byte[] b) {
        try {
            return KeyText.strictUtf8(b);
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCode.USAGE, "a key or value (" + HexFormat.of().formatHex(b, 0, Math.min(b.length, 16))
                    + (b.length > 16 ? "..." : "") + " in hex) is " + e.getMessage() + " (--enc hex or --enc base64)");
        }
    }
}
