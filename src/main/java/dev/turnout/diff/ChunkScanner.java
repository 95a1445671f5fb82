package dev.turnout.diff;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The fast path of {@link ChunkParser}: a strict single-pass scanner over the bytes of one chunk, for
 * the shape almost every chunk has ({@code {"id":..,"choices":[{"index":0,"delta":{"content":".."}}]}}).
 * A 2 000-token answer is 2 000 chunks, and Jackson spent ~500 ns on each, mostly resolving field
 * names the assembler then skips; this reads the same chunk in about a fifth of that.
 *
 * <p>It never decides anything Jackson would decide differently: it accepts only strict RFC 8259
 * JSON (valid UTF-8, no control characters in strings, no leading zeros, no trailing commas, bounded
 * depth and lengths well under Jackson's limits), and on anything else (a grammar error, an escape
 * in a field name, an index that is not a plain int, {@code tool_calls} or {@code usage}, which are
 * read as trees) it answers {@link #UNSURE} and the chunk goes to Jackson, which decides as before.
 */
final class ChunkScanner extends StrictJsonCursor {

    /** Not an answer: the caller parses the chunk with Jackson instead. */
    static final ChunkParser.Chunk UNSURE = new ChunkParser.Chunk(List.of(), null);

    private static final byte[] CHOICES = ascii("choices");
    private static final byte[] USAGE = ascii("usage");
    private static final byte[] INDEX = ascii("index");
    private static final byte[] TEXT = ascii("text");
    private static final byte[] FINISH_REASON = ascii("finish_reason");
    private static final byte[] DELTA = ascii("delta");
    private static final byte[] CONTENT = ascii("content");
    private static final byte[] TOOL_CALLS = ascii("tool_calls");

    private ChunkScanner(byte[] bytes, int offset, int end) {
        super(bytes, offset, end);
    }

    /** The chunk read from {@code bytes[offset, offset + length)}, or {@link #UNSURE}. */
    static ChunkParser.Chunk scan(byte[] bytes, int offset, int length) {
        try {
            return new ChunkScanner(bytes, offset, offset + length).chunk();
        } catch (RuntimeException giveUp) { // GIVE_UP, or an index past the end of a cut-off chunk
            return UNSURE;
        }
    }

    private ChunkParser.Chunk chunk() {
        skipSpace();
        expect('{');
        List<ChunkParser.ChoiceDelta> choices = List.of();
        if (!objectIsEmpty()) {
            do {
                name();
                if (nameIs(CHOICES)) {
                    if (peek() == '[') choices = choices();
                    else {
                        skipValue(1);
                        choices = List.of();
                    }
                } else if (nameIs(USAGE)) {
                    throw GIVE_UP; // read as a tree, by Jackson
                } else {
                    skipValue(1);
                }
            } while (nextMember('}'));
        }
        // As with Jackson, whatever follows the object's closing brace is not read.
        return new ChunkParser.Chunk(choices, null);
    }

    private List<ChunkParser.ChoiceDelta> choices() {
        pos++; // [
        List<ChunkParser.ChoiceDelta> choices = new ArrayList<>(1);
        skipSpace();
        if (peek() == ']') {
            pos++;
            return choices;
        }
        do {
            skipSpace();
            if (peek() == '{') choices.add(choice());
            else {
                skipValue(2); // not a choice object: an empty choice 0, as Jackson's path reads it
                choices.add(new ChunkParser.ChoiceDelta(0, null, null, null, null));
            }
        } while (nextMember(']'));
        return choices;
    }

    private ChunkParser.ChoiceDelta choice() {
        pos++; // {
        int index = 0;
        String content = null;
        String text = null;
        String finishReason = null;
        if (!objectIsEmpty()) {
            do {
                name();
                if (nameIs(INDEX)) index = plainInt();
                else if (nameIs(TEXT)) text = stringOrSkip(3);
                else if (nameIs(FINISH_REASON)) finishReason = stringOrSkip(3);
                else if (nameIs(DELTA)) content = delta();
                else skipValue(3);
            } while (nextMember('}'));
        }
        return new ChunkParser.ChoiceDelta(index, content, text, null, finishReason);
    }

    /** The delta's content; a delta that is not an object, or has no string content, has none. */
    private String delta() {
        if (peek() != '{') {
            skipValue(3);
            return null;
        }
        pos++;
        String content = null;
        if (!objectIsEmpty()) {
            do {
                name();
                if (nameIs(CONTENT)) content = stringOrSkip(4);
                else if (nameIs(TOOL_CALLS)) throw GIVE_UP; // read as a tree, by Jackson
                else skipValue(4);
            } while (nextMember('}'));
        }
        return content;
    }

    /** An int literal (no fraction, no exponent, within int range); anything else goes to Jackson. */
    private int plainInt() {
        boolean negative = peek() == '-';
        if (negative) pos++;
        int digitsFrom = pos;
        long value = 0;
        while (pos < end && bytes[pos] >= '0' && bytes[pos] <= '9') {
            value = value * 10 + (bytes[pos++] - '0');
            if (pos - digitsFrom > 10) throw GIVE_UP;
        }
        int digits = pos - digitsFrom;
        if (digits == 0 || digits > 1 && bytes[digitsFrom] == '0') throw GIVE_UP;
        if (pos < end && (bytes[pos] == '.' || bytes[pos] == 'e' || bytes[pos] == 'E')) throw GIVE_UP;
        if (negative) value = -value;
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) throw GIVE_UP;
        return (int) value;
    }

    /** A string value decoded, or null after skipping a value of another type. */
    private String stringOrSkip(int depth) {
        if (peek() != '"') {
            skipValue(depth);
            return null;
        }
        int start = pos + 1;
        int kinds = skipString();
        int stop = pos - 1;
        if ((kinds & ESCAPED) != 0) return unescape(start, stop);
        return new String(bytes, start, stop - start, (kinds & NON_ASCII) != 0 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
