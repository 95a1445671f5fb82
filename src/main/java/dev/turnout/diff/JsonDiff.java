package dev.turnout.diff;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Where two JSON documents differ, as JSONPath-like entries: {@code changed $.unit},
 * {@code added $.items[2]}, {@code removed $.city}. Used for tool-call arguments, whose text may
 * differ in spacing or key order while meaning the same.
 */
public final class JsonDiff {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final int MAX_ENTRIES = 50;

    private JsonDiff() {}

    /** The differences, or a single {@code invalid ...} entry when either side is not JSON. */
    public static List<String> diff(String primary, String candidate) {
        JsonNode left = parse(primary);
        JsonNode right = parse(candidate);
        if (left == null || right == null) {
            if (left == null && right == null) return primary.equals(candidate) ? List.of() : List.of("invalid both");
            return List.of(left == null ? "invalid primary" : "invalid candidate");
        }
        List<String> differences = new ArrayList<>();
        walk("$", left, right, differences);
        return differences;
    }

    /** Whether the text is one JSON value. */
    public static boolean isValid(String text) {
        return parse(text) != null;
    }

    private static JsonNode parse(String text) {
        if (text == null || text.isBlank()) return null;
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            return null;
        }
    }

    private static void walk(String path, JsonNode left, JsonNode right, List<String> out) {
        if (out.size() >= MAX_ENTRIES) return;
        if (left.isObject() && right.isObject()) {
            Set<String> names = new TreeSet<>();
            left.fieldNames().forEachRemaining(names::add);
            right.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                String child = path + "." + name;
                if (!right.has(name)) out.add("removed " + child);
                else if (!left.has(name)) out.add("added " + child);
                else walk(child, left.get(name), right.get(name), out);
            }
        } else if (left.isArray() && right.isArray()) {
            Iterator<JsonNode> l = left.elements();
            Iterator<JsonNode> r = right.elements();
            int index = 0;
            while (l.hasNext() || r.hasNext()) {
                String child = path + "[" + index++ + "]";
                if (!r.hasNext()) {
                    l.next();
                    out.add("removed " + child);
                } else if (!l.hasNext()) {
                    r.next();
                    out.add("added " + child);
                } else {
                    walk(child, l.next(), r.next(), out);
                }
            }
        } else if (!left.equals(right)) {
            out.add("changed " + path);
        }
    }
}
