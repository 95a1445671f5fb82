package dev.turnout.proxy;

import io.vertx.core.buffer.Buffer;

/**
 * Whether the event stream relayed so far ends on an event boundary (a blank line), so an error
 * event the gateway adds is parsed as an event of its own rather than glued onto a half-written
 * {@code data:} line. Only the trailing line terminators of each chunk are read: a few bytes, not
 * the chunk. SSE ends a line with CRLF, LF or CR, so a trailing CR may still be half of a CRLF.
 */
final class SseTail {

    /** Line terminators at the end of what was relayed, counted up to two; nothing relayed is a boundary. */
    private int lineEnds = 2;
    private boolean endsWithCr;

    void track(Buffer chunk) {
        int end = chunk.length();
        int start = end;
        while (start > 0 && isLineEnd(chunk.getByte(start - 1))) start--;
        if (start > 0) {
            lineEnds = 0;
            endsWithCr = false;
        }
        for (int i = start; i < end; i++) {
            if (chunk.getByte(i) == '\r') {
                lineEnds = Math.min(2, lineEnds + 1);
                endsWithCr = true;
            } else {
                if (!endsWithCr) lineEnds = Math.min(2, lineEnds + 1); // an LF after a CR completes that CRLF
                endsWithCr = false;
            }
        }
    }

    /** What to write before a new event so that it starts on a boundary. */
    String closingPrefix() {
        if (lineEnds >= 2) return "";
        // After a lone CR, a first LF would only complete its CRLF: two are needed then too.
        return lineEnds == 1 && !endsWithCr ? "\n" : "\n\n";
    }

    private static boolean isLineEnd(byte b) {
        return b == '\n' || b == '\r';
    }
}
