package io.famfsrocks.cli;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Keys and values as text, shared by the replica verbs and the HTTP server (issue 13 item 11).
 * base64 input may use the standard ({@code + /}) or the URL-safe ({@code - _}) alphabet,
 * padding optional; output is always URL-safe with padding. utf8 output is strict: bytes
 * that are not UTF-8 are refused, never replaced by U+FFFD, so a binary key cannot come
 * back as another key.
 */
public final class KeyText {
    private KeyText() {
    }

    /**
     * Decodes base64 in either alphabet. A space is taken as {@code +}: base64 has no spaces,
     * and a {@code +} left unescaped in a URL query arrives as one.
     *
     * @throws IllegalArgumentException naming both alphabets when the text is neither
     */
    public static byte[] decodeBase64(String s) {
        String t = s.replace(' ', '+').replace('+', '-').replace('/', '_');
        try {
            return Base64.getUrlDecoder().decode(t);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not base64 in the standard (+/) or URL-safe (-_) alphabet: "
                    + e.getMessage(), e);
        }
    }

    public static String encodeBase64(byte[] b) {
        return Base64.getUrlEncoder().encodeToString(b);
    }

    /**
     * The bytes as UTF-8 text, or an exception when they are not UTF-8.
     *
     * @throws IllegalArgumentException saying to use hex or base64
     */
    public static String strictUtf8(byte[] b) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("not valid UTF-8; use hex or base64 for binary keys and values", e);
        }
    }
}
