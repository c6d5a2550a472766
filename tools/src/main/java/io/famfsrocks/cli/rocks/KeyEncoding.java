package io.famfsrocks.cli.rocks;

import io.famfsrocks.cli.CliException;
import io.famfsrocks.cli.ExitCode;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;

/** How keys and values are written on the command line: utf8 (default), hex or base64. Stateless. */
enum KeyEncoding {
    UTF8, HEX, BASE64;

    byte[] decode(String s) {
        try {
            return switch (this) {
                case UTF8 -> s.getBytes(StandardCharsets.UTF_8);
                case HEX -> HexFormat.of().parseHex(s);
                case BASE64 -> Base64.getUrlDecoder().decode(s);
            };
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCode.USAGE, "'" + s + "' is not valid " + name().toLowerCase() + ": " + e.getMessage());
        }
    }

    String encode(byte[] b) {
        return switch (this) {
            case UTF8 -> new String(b, StandardCharsets.UTF_8);
            case HEX -> HexFormat.of().formatHex(b);
            case BASE64 -> Base64.getUrlEncoder().encodeToString(b);
        };
    }
}
