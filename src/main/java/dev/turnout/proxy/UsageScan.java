package dev.turnout.proxy;

/**
 * Finds the completion tokens an answer reported, in the last bytes relayed to the client: a
 * non-streamed answer ends with its {@code usage}, a streamed one carries it in its last chunk when
 * the client asked for {@code stream_options.include_usage}. The tail is kept in a fixed ring
 * ({@link #WINDOW} bytes, allocated once per tracked call), so no parse and no copy of the body.
 *
 * <p>The last {@code "completion_tokens"} followed by optional whitespace, a colon, optional
 * whitespace and one to {@link #MAX_DIGITS} digits wins; anything else is unknown (-1).
 */
final class UsageScan {

    static final int WINDOW = 512;
    static final int MAX_DIGITS = 10;

    private static final byte[] KEY = "\"completion_tokens\"".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private UsageScan() {}

    /**
     * Appends the trailing bytes of {@code chunk} (at most the ring's length) to the ring, which has
     * seen {@code written} bytes before; returns how many it has seen after.
     */
    static long append(byte[] ring, long written, io.vertx.core.buffer.Buffer chunk) {
        int length = chunk.length();
        int kept = Math.min(length, ring.length);
        int from = length - kept;
        int at = (int) ((written + from) % ring.length);
        int first = Math.min(kept, ring.length - at);
        chunk.getBytes(from, from + first, ring, at);
        if (first < kept) chunk.getBytes(from + first, length, ring, 0);
        return written + length;
    }

    /**
     * The completion tokens in the ring, or -1.
     *
     * @param written how many bytes were ever appended: the ring holds the last {@code min(written, ring.length)}
     */
    static long completionTokens(byte[] ring, long written) {
        int size = (int) Math.min(written, ring.length);
        int start = written <= ring.length ? 0 : (int) (written % ring.length);
        for (int key = size - KEY.length; key >= 0; key--) {
            if (!matches(ring, start, key)) continue;
            long tokens = number(ring, start, size, key + KEY.length);
            if (tokens >= 0) return tokens;
        }
        return -1;
    }

    private static boolean matches(byte[] ring, int start, int at) {
        for (int i = 0; i < KEY.length; i++) {
            if (byteAt(ring, start, at + i) != KEY[i]) return false;
        }
        return true;
    }

    /** The digits after {@code ws : ws} from {@code at}, or -1 when there are none or too many. */
    private static long number(byte[] ring, int start, int size, int at) {
        int i = skipSpace(ring, start, size, at);
        if (i >= size || byteAt(ring, start, i) != ':') return -1;
        i = skipSpace(ring, start, size, i + 1);
        long value = 0;
        int digits = 0;
        for (; i < size; i++) {
            byte b = byteAt(ring, start, i);
            if (b < '0' || b > '9') break;
            if (++digits > MAX_DIGITS) return -1;
            value = value * 10 + (b - '0');
        }
        return digits == 0 ? -1 : value;
    }

    private static int skipSpace(byte[] ring, int start, int size, int at) {
        while (at < size) {
            byte b = byteAt(ring, start, at);
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') break;
            at++;
        }
        return at;
    }

    private static byte byteAt(byte[] ring, int start, int index) {
        return ring[(start + index) % ring.length];
    }
}
