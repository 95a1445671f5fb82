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
final class ChunkScanner {

    /** Not an answer: the caller parses the chunk with Jackson instead. */
    static final ChunkParser.Chunk UNSURE = new ChunkParser.Chunk(List.of(), null);

    private static final int MAX_DEPTH = 64;
    private static final int MAX_STRING_BYTES = 1 << 20;
    private static final int MAX_NUMBER_BYTES = 100;
    private static final int MAX_NAME_BYTES = 1_000;

    private static final byte[] CHOICES = ascii("choices");
    private static final byte[] USAGE = ascii("usage");
    private static final byte[] INDEX = ascii("index");
    private static final byte[] TEXT = ascii("text");
    private static final byte[] FINISH_REASON = ascii("finish_reason");
    private static final byte[] DELTA = ascii("delta");
    private static final byte[] CONTENT = ascii("content");
    private static final byte[] TOOL_CALLS = ascii("tool_calls");

    /** Thrown (without a stack trace) to leave the scan for Jackson; caught in {@link #scan}. */
    private static final RuntimeException GIVE_UP = new GiveUp();

    private static final class GiveUp extends RuntimeException {
        GiveUp() {
            super("not on the fast path", null, false, false);
        }
    }

    private final byte[] bytes;
    private final int end;
    private int pos;
    private int nameStart;
    private int nameEnd;

    private ChunkScanner(byte[] bytes, int offset, int end) {
        this.bytes = bytes;
        this.pos = offset;
        this.end = end;
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

    /** After a member: true at a comma (more follow), false at {@code close}; anything else gives up. */
    private boolean nextMember(char close) {
        skipSpace();
        byte b = peek();
        pos++;
        if (b == ',') return true;
        if (b == close) return false;
        throw GIVE_UP;
    }

    /** Just after an opening brace: true (and consumed) when the object closes at once. */
    private boolean objectIsEmpty() {
        skipSpace();
        if (peek() != '}') return false;
        pos++;
        return true;
    }

    /** A field name without escapes or non-ASCII bytes, then its colon; sets the name's range. */
    private void name() {
        skipSpace();
        expect('"');
        int start = pos;
        while (true) {
            byte b = peek();
            if (b == '"') break;
            if (b == '\\' || b < 0x20) throw GIVE_UP; // b < 0 too: non-ASCII names go to Jackson
            if (++pos - start > MAX_NAME_BYTES) throw GIVE_UP;
        }
        nameStart = start;
        nameEnd = pos++;
        skipSpace();
        expect(':');
        skipSpace();
    }

    private boolean nameIs(byte[] name) {
        int length = nameEnd - nameStart;
        if (length != name.length) return false;
        for (int i = 0; i < length; i++) {
            if (bytes[nameStart + i] != name[i]) return false;
        }
        return true;
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
        pos++;
        int start = pos;
        boolean escaped = false;
        boolean ascii = true;
        while (true) {
            int b = peek();
            if (b == '"') break;
            if (b == '\\') {
                escaped = true;
                pos = escapeEnd(pos);
            } else if (b < 0) {
                ascii = false;
                pos = utf8End(pos);
            } else if (b < 0x20) {
                throw GIVE_UP;
            } else {
                pos++;
            }
            if (pos - start > MAX_STRING_BYTES) throw GIVE_UP;
        }
        int stop = pos++;
        if (!escaped) return new String(bytes, start, stop - start, ascii ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
        return unescape(start, stop);
    }

    /** Decodes a string already checked by {@link #stringOrSkip}: UTF-8 runs between escapes. */
    private String unescape(int start, int stop) {
        StringBuilder out = new StringBuilder(stop - start);
        int run = start;
        int i = start;
        while (i < stop) {
            if (bytes[i] != '\\') {
                i++;
                continue;
            }
            if (i > run) out.append(new String(bytes, run, i - run, StandardCharsets.UTF_8));
            byte kind = bytes[i + 1];
            switch (kind) {
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> out.append((char) Integer.parseInt(new String(bytes, i + 2, 4, StandardCharsets.ISO_8859_1), 16));
                default -> out.append((char) kind); // " \ /
            }
            i += kind == 'u' ? 6 : 2;
            run = i;
        }
        if (stop > run) out.append(new String(bytes, run, stop - run, StandardCharsets.UTF_8));
        return out.toString();
    }

    /** The end of the escape at {@code at} (a backslash); only JSON's escapes pass. */
    private int escapeEnd(int at) {
        if (at + 1 >= end) throw GIVE_UP;
        byte kind = bytes[at + 1];
        switch (kind) {
            case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> {
                return at + 2;
            }
            case 'u' -> {
                if (at + 6 > end) throw GIVE_UP;
                for (int i = at + 2; i < at + 6; i++) {
                    if (Character.digit(bytes[i], 16) < 0) throw GIVE_UP;
                }
                return at + 6;
            }
            default -> throw GIVE_UP;
        }
    }

    /** The end of the well-formed UTF-8 sequence at {@code at}: shortest form, no surrogates, ≤ U+10FFFF. */
    private int utf8End(int at) {
        int lead = bytes[at] & 0xff;
        if (lead >= 0xc2 && lead <= 0xdf) {
            continuation(at + 1);
            return at + 2;
        }
        if (lead >= 0xe0 && lead <= 0xef) {
            int second = continuation(at + 1);
            if (lead == 0xe0 && second < 0xa0 || lead == 0xed && second > 0x9f) throw GIVE_UP;
            continuation(at + 2);
            return at + 3;
        }
        if (lead >= 0xf0 && lead <= 0xf4) {
            int second = continuation(at + 1);
            if (lead == 0xf0 && second < 0x90 || lead == 0xf4 && second > 0x8f) throw GIVE_UP;
            continuation(at + 2);
            continuation(at + 3);
            return at + 4;
        }
        throw GIVE_UP;
    }

    private int continuation(int at) {
        if (at >= end) throw GIVE_UP;
        int b = bytes[at] & 0xff;
        if ((b & 0xc0) != 0x80) throw GIVE_UP;
        return b;
    }

    /** Skips one value of any type, checking it as strictly as it is read. */
    private void skipValue(int depth) {
        if (depth > MAX_DEPTH) throw GIVE_UP;
        byte b = peek();
        switch (b) {
            case '"' -> stringOrSkipped();
            case '{' -> {
                pos++;
                if (objectIsEmpty()) return;
                do {
                    name();
                    skipValue(depth + 1);
                } while (nextMember('}'));
            }
            case '[' -> {
                pos++;
                skipSpace();
                if (peek() == ']') {
                    pos++;
                    return;
                }
                do {
                    skipSpace();
                    skipValue(depth + 1);
                } while (nextMember(']'));
            }
            case 't' -> literal("true");
            case 'f' -> literal("false");
            case 'n' -> literal("null");
            default -> number();
        }
    }

    private void stringOrSkipped() {
        pos++;
        int start = pos;
        while (true) {
            int b = peek();
            if (b == '"') break;
            if (b == '\\') pos = escapeEnd(pos);
            else if (b < 0) pos = utf8End(pos);
            else if (b < 0x20) throw GIVE_UP;
            else pos++;
            if (pos - start > MAX_STRING_BYTES) throw GIVE_UP;
        }
        pos++;
    }

    private void literal(String word) {
        if (pos + word.length() > end) throw GIVE_UP;
        for (int i = 0; i < word.length(); i++) {
            if (bytes[pos + i] != word.charAt(i)) throw GIVE_UP;
        }
        pos += word.length();
        endOfScalar();
    }

    /** RFC 8259's number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
    private void number() {
        int start = pos;
        if (peek() == '-') pos++;
        if (peek() == '0') pos++;
        else if (digits() == 0) throw GIVE_UP;
        if (pos < end && bytes[pos] == '.') {
            pos++;
            if (digits() == 0) throw GIVE_UP;
        }
        if (pos < end && (bytes[pos] == 'e' || bytes[pos] == 'E')) {
            pos++;
            if (pos < end && (bytes[pos] == '+' || bytes[pos] == '-')) pos++;
            if (digits() == 0) throw GIVE_UP;
        }
        if (pos - start > MAX_NUMBER_BYTES) throw GIVE_UP;
        endOfScalar();
    }

    private int digits() {
        int start = pos;
        while (pos < end && bytes[pos] >= '0' && bytes[pos] <= '9') pos++;
        return pos - start;
    }

    /** A number or literal must be followed by a separator, as Jackson requires. */
    private void endOfScalar() {
        byte b = peek();
        if (b != ',' && b != '}' && b != ']' && b != ' ' && b != '\t' && b != '\n' && b != '\r') throw GIVE_UP;
    }

    private void skipSpace() {
        while (pos < end) {
            byte b = bytes[pos];
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') return;
            pos++;
        }
    }

    private byte peek() {
        if (pos >= end) throw GIVE_UP;
        return bytes[pos];
    }

    private void expect(char c) {
        if (peek() != c) throw GIVE_UP;
        pos++;
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
