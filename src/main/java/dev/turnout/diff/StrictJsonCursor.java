package dev.turnout.diff;

import java.nio.charset.StandardCharsets;

/**
 * A cursor over the bytes of one JSON document that accepts only strict RFC 8259 JSON: valid UTF-8,
 * JSON's escapes only, no control characters in strings, no leading zeros, no trailing commas, and
 * depth and lengths bounded well under Jackson's limits. On anything else it throws {@link #GIVE_UP}
 * (no stack trace): whoever uses it hands the document to Jackson, which decides. The reading of
 * particular fields is {@link ChunkScanner}'s; this holds the grammar.
 */
class StrictJsonCursor {

    /** Thrown to leave the fast path; never seen outside the scanner that catches it. */
    static final RuntimeException GIVE_UP = new GiveUp();

    private static final int MAX_DEPTH = 64;
    private static final int MAX_STRING_BYTES = 1 << 20;
    private static final int MAX_NUMBER_BYTES = 100;
    private static final int MAX_NAME_BYTES = 1_000;
    static final int ESCAPED = 1;
    static final int NON_ASCII = 2;

    private static final class GiveUp extends RuntimeException {
        GiveUp() {
            super("not on the fast path", null, false, false);
        }
    }

    final byte[] bytes;
    final int end;
    int pos;
    private int nameStart;
    private int nameEnd;

    StrictJsonCursor(byte[] bytes, int offset, int end) {
        this.bytes = bytes;
        this.pos = offset;
        this.end = end;
    }

    /** After a member: true at a comma (more follow), false at {@code close}; anything else gives up. */
    boolean nextMember(char close) {
        skipSpace();
        byte b = peek();
        pos++;
        if (b == ',') return true;
        if (b == close) return false;
        throw GIVE_UP;
    }

    /** Just after an opening brace: true (and consumed) when the object closes at once. */
    boolean objectIsEmpty() {
        skipSpace();
        if (peek() != '}') return false;
        pos++;
        return true;
    }

    /** A field name without escapes or non-ASCII bytes, then its colon; sets the name's range. */
    void name() {
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

    boolean nameIs(byte[] name) {
        int length = nameEnd - nameStart;
        if (length != name.length) return false;
        for (int i = 0; i < length; i++) {
            if (bytes[nameStart + i] != name[i]) return false;
        }
        return true;
    }

    /** Skips a string from its opening quote, checked strictly; says whether it held escapes or non-ASCII bytes. */
    int skipString() {
        pos++;
        int start = pos;
        int kinds = 0;
        while (true) {
            int b = peek();
            if (b == '"') break;
            if (b == '\\') {
                kinds |= ESCAPED;
                pos = escapeEnd(pos);
            } else if (b < 0) {
                kinds |= NON_ASCII;
                pos = utf8End(pos);
            } else if (b < 0x20) {
                throw GIVE_UP;
            } else {
                pos++;
            }
            if (pos - start > MAX_STRING_BYTES) throw GIVE_UP;
        }
        pos++;
        return kinds;
    }

    /** Decodes a string {@link #skipString} checked, {@code bytes[start, stop)}: UTF-8 runs between escapes. */
    String unescape(int start, int stop) {
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
    int escapeEnd(int at) {
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
    int utf8End(int at) {
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

    int continuation(int at) {
        if (at >= end) throw GIVE_UP;
        int b = bytes[at] & 0xff;
        if ((b & 0xc0) != 0x80) throw GIVE_UP;
        return b;
    }

    /** Skips one value of any type, checking it as strictly as it is read. */
    void skipValue(int depth) {
        if (depth > MAX_DEPTH) throw GIVE_UP;
        byte b = peek();
        switch (b) {
            case '"' -> skipString();
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

    void literal(String word) {
        if (pos + word.length() > end) throw GIVE_UP;
        for (int i = 0; i < word.length(); i++) {
            if (bytes[pos + i] != word.charAt(i)) throw GIVE_UP;
        }
        pos += word.length();
        endOfScalar();
    }

    /** RFC 8259's number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
    void number() {
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

    int digits() {
        int start = pos;
        while (pos < end && bytes[pos] >= '0' && bytes[pos] <= '9') pos++;
        return pos - start;
    }

    /** A number or literal must be followed by a separator, as Jackson requires. */
    void endOfScalar() {
        byte b = peek();
        if (b != ',' && b != '}' && b != ']' && b != ' ' && b != '\t' && b != '\n' && b != '\r') throw GIVE_UP;
    }

    void skipSpace() {
        while (pos < end) {
            byte b = bytes[pos];
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') return;
            pos++;
        }
    }

    byte peek() {
        if (pos >= end) throw GIVE_UP;
        return bytes[pos];
    }

    void expect(char c) {
        if (peek() != c) throw GIVE_UP;
        pos++;
    }
}
