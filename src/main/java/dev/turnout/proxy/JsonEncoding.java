package dev.turnout.proxy;

import io.netty.handler.codec.http.HttpUtil;

/**
 * Request bodies are UTF-8 JSON (RFC 8259 §8.1) and nothing else. Jackson would guess UTF-16 or
 * UTF-32 from a byte order mark or from zero bytes, and skips the strings it does not read
 * without checking them, so the gateway checks the bytes itself before parsing: every body it
 * parses is then read as UTF-8, and every body it forwards is valid UTF-8.
 */
final class JsonEncoding {

    private JsonEncoding() {}

    /**
     * Null when the {@code Content-Type} names no charset or UTF-8, else the 415 to answer. The
     * media type itself is not checked: clients that send JSON as {@code text/plain} keep working.
     */
    static OpenAiError checkCharset(String contentType) {
        if (contentType == null) return null;
        CharSequence named = HttpUtil.getCharsetAsSequence(contentType);
        if (named == null) return null;
        String charset = named.toString().trim();
        if (charset.length() >= 2 && charset.startsWith("\"") && charset.endsWith("\"")) {
            charset = charset.substring(1, charset.length() - 1);
        }
        if (charset.equalsIgnoreCase("utf-8") || charset.equalsIgnoreCase("utf8")) return null;
        String shown = charset.length() > 40 ? charset.substring(0, 40) + "..." : charset;
        return new OpenAiError(415, "invalid_request_error", "unsupported_charset", null, "The request body must be "
                + "UTF-8 JSON; Content-Type names the charset '" + shown + "'. Send charset=utf-8 or no charset.");
    }

    /** Throws {@link RequestInspector.InvalidBodyException} unless the body is UTF-8 without a byte order mark. */
    static void requireUtf8(byte[] body, int length) {
        String problem = null;
        if (length >= 2 && ((body[0] == (byte) 0xFE && body[1] == (byte) 0xFF) || (body[0] == (byte) 0xFF && body[1] == (byte) 0xFE))) {
            problem = "it starts with a UTF-16 or UTF-32 byte order mark";
        } else if (length >= 3 && body[0] == (byte) 0xEF && body[1] == (byte) 0xBB && body[2] == (byte) 0xBF) {
            problem = "it starts with a byte order mark, which RFC 8259 does not allow";
        } else {
            int invalid = firstInvalidByte(body, length);
            if (invalid >= 0 && body[invalid] == 0) {
                problem = "it holds a zero byte at offset " + invalid + " (is it UTF-16 or UTF-32?)";
            } else if (invalid >= 0) {
                problem = "it holds a byte sequence that is not UTF-8 at offset " + invalid;
            }
        }
        if (problem != null) {
            throw new RequestInspector.InvalidBodyException(null, "invalid_encoding", "The request body must be JSON encoded as UTF-8, but "
                    + problem + ".");
        }
    }

    /**
     * Offset of the first byte that does not start a well-formed UTF-8 sequence (Unicode Table
     * 3-7: no overlong forms, no surrogates, nothing above U+10FFFF), or of a zero byte, which JSON
     * text never holds raw; -1 when there is none.
     */
    static int firstInvalidByte(byte[] bytes, int length) {
        int i = 0;
        while (i < length) {
            int lead = bytes[i];
            if (lead > 0) {
                i++;
                continue;
            }
            if (lead == 0) return i;
            lead &= 0xFF;
            int continuations;
            int low = 0x80;
            int high = 0xBF;
            if (lead >= 0xC2 && lead <= 0xDF) {
                continuations = 1;
            } else if (lead >= 0xE0 && lead <= 0xEF) {
                continuations = 2;
                if (lead == 0xE0) low = 0xA0;
                if (lead == 0xED) high = 0x9F;
            } else if (lead >= 0xF0 && lead <= 0xF4) {
                continuations = 3;
                if (lead == 0xF0) low = 0x90;
                if (lead == 0xF4) high = 0x8F;
            } else {
                return i;
            }
            if (i + continuations >= length) return i;
            int second = bytes[i + 1] & 0xFF;
            if (second < low || second > high) return i;
            for (int k = 2; k <= continuations; k++) {
                int next = bytes[i + k] & 0xFF;
                if (next < 0x80 || next > 0xBF) return i;
            }
            i += continuations + 1;
        }
        return -1;
    }
}
