package dev.turnout.route;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads one field of the route document, adding an error that names the field when its type or
 * range is wrong and returning a harmless value instead, so reading goes on and every problem of
 * a document is reported at once.
 */
final class Fields {

    private Fields() {}

    @FunctionalInterface
    interface EntryReader {
        void read(String key, JsonNode value, String at);
    }

    static void forEachEntry(String at, JsonNode node, List<String> errors, EntryReader reader) {
        if (node == null || node.isNull()) return;
        if (!node.isObject()) {
            errors.add(at + ": must be a map of name -> settings");
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            reader.read(entry.getKey(), entry.getValue(), at + "." + entry.getKey());
        }
    }

    static void unknownKeys(String at, JsonNode node, Set<String> known, List<String> errors) {
        if (!node.isObject()) {
            errors.add((at.isEmpty() ? "document" : at) + ": must be an object");
            return;
        }
        node.fieldNames().forEachRemaining(key -> {
            if (!known.contains(key)) {
                errors.add((at.isEmpty() ? "" : at + ".") + key + ": unknown key (expected one of "
                        + known.stream().sorted().toList() + ")");
            }
        });
    }

    static String text(JsonNode node, String key, String at, List<String> errors) {
        JsonNode value = node.get(key);
        if (value == null || value.isNull()) return null;
        if (!value.isTextual()) {
            errors.add(field(at, key) + ": must be a string, got " + value);
            return null;
        }
        return value.asText();
    }

    /** A number as a double; ranges (and NaN or infinities) are the validator's to check. */
    static double number(JsonNode node, String key, String at, double absent, List<String> errors) {
        JsonNode value = node.get(key);
        if (value == null) return absent;
        if (!value.isNumber()) {
            errors.add(field(at, key) + ": must be a number, got " + value);
            return absent;
        }
        return value.asDouble();
    }

    /**
     * A whole number in [min, max], checked before it is stored anywhere narrower: 4294967301 is
     * refused, never read as 5. A fraction, a string or a number beyond a long is refused too.
     */
    static long whole(JsonNode node, String key, String at, long min, long max, long absent, List<String> errors) {
        JsonNode value = node.get(key);
        if (value == null) return absent;
        if (!value.isIntegralNumber() || !value.canConvertToLong() || value.asLong() < min || value.asLong() > max) {
            errors.add(field(at, key) + ": " + RouteLimits.wholeRange(min, max) + ", got " + value);
            return absent;
        }
        return value.asLong();
    }

    /** A field's path in messages: {@code versions.v1.timeoutMs}, or {@code revision} at the top. */
    private static String field(String at, String key) {
        return at.isEmpty() ? key : at + "." + key;
    }

    static boolean bool(JsonNode node, String key, String at, List<String> errors) {
        JsonNode value = node.get(key);
        if (value == null || value.isNull()) return false;
        if (!value.isBoolean()) {
            errors.add(field(at, key) + ": must be true or false, got " + value);
            return false;
        }
        return value.asBoolean();
    }
}
