package dev.turnout.golden;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads golden sets from documents and writes them back. A set is JSONL, one item per line:
 * <pre>
 * {"id": "prime-17077", "messages": [{"role": "user", "content": "Is 17077 a prime number? ..."}],
 *  "params": {"temperature": 0, "max_tokens": 256}, "check": {"kind": "regex", "pattern": "\\[Yes\\]\\s*$"}}
 * </pre>
 * or, as JSON, a list of such items or {@code {"items": [...]}}. Documents are untrusted (the admin
 * API stores them, Redis hands them back), so every size is bounded before it costs anything, and
 * every problem is reported at once, each starting with where it is: {@code line 3: } (JSONL, lines
 * counted from 1, blank ones included), {@code items[2]: } (JSON), {@code document: } or {@code name: }.
 */
public final class GoldenSets {

    /** A set's name: it becomes part of a URL and a Redis key. */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    /** An item's id: the route table's name rule, so a version or alias name can be an id. */
    public static final Pattern ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    public static final int MAX_ITEMS = 10_000;
    /** An item is a prompt and a check, a few KiB at most; a longer line is not a question but an attack. */
    public static final int MAX_LINE_CHARS = 64 * 1024;
    /** 8 MiB: ten thousand items of about 800 characters each. The admin API accepts bodies this size for sets. */
    public static final int MAX_DOCUMENT_CHARS = 8 * 1024 * 1024;
    /** Longer patterns are not questions' answers but programs; the bound keeps compiling cheap. */
    public static final int MAX_REGEX_CHARS = 1000;
    /** Used when a semantic check gives no {@code minSimilarity}. */
    public static final double DEFAULT_MIN_SIMILARITY = 0.8;
    /** Chat messages, a JSON Schema and tool parameters nest a few levels; far deeper is an attack on a parser's stack. */
    static final int MAX_NESTING_DEPTH = 64;

    private static final StreamReadConstraints CONSTRAINTS = StreamReadConstraints.builder()
            .maxNestingDepth(MAX_NESTING_DEPTH).maxStringLength(MAX_DOCUMENT_CHARS).maxNumberLength(100).build();
    // Duplicate keys are refused: with "last one wins", {"value": "4", "value": "5"} would hide a mistake.
    static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder().streamReadConstraints(CONSTRAINTS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build());

    private GoldenSets() {}

    /**
     * The set a document declares.
     *
     * @param jsonl true: one item per non-blank line; false: a JSON list of items or {@code {"items": [...]}}
     * @throws InvalidGoldenSetException listing every problem; no other exception for any input
     */
    public static GoldenSet parse(String name, String body, boolean jsonl) {
        List<String> problems = new ArrayList<>();
        if (name == null || !NAME.matcher(name).matches()) {
            problems.add("name: must match " + NAME.pattern() + ", got '" + ItemReader.echoed(String.valueOf(name)) + "'");
        }
        if (body == null || body.isBlank()) {
            problems.add("document: empty; expected " + (jsonl ? "one item per line" : "a list of items"));
            throw new InvalidGoldenSetException(problems);
        }
        if (body.length() > MAX_DOCUMENT_CHARS) {
            problems.add("document: at most " + MAX_DOCUMENT_CHARS + " characters, got " + body.length());
            throw new InvalidGoldenSetException(problems);
        }
        List<GoldenItem> items = jsonl ? readLines(body, problems) : readJson(body, problems);
        if (problems.isEmpty() && items.isEmpty()) problems.add("document: no items; a set needs at least one");
        if (!problems.isEmpty()) throw new InvalidGoldenSetException(problems);
        return new GoldenSet(name, items);
    }

    private static List<GoldenItem> readLines(String body, List<String> problems) {
        ItemReader reader = new ItemReader(problems);
        Map<String, String> seen = new HashMap<>();
        List<GoldenItem> items = new ArrayList<>();
        int count = 0;
        int start = 0;
        for (int number = 1; start <= body.length(); number++) {
            int end = body.indexOf('\n', start);
            if (end < 0) end = body.length();
            String line = body.substring(start, end > start && body.charAt(end - 1) == '\r' ? end - 1 : end);
            start = end + 1;
            if (line.isBlank()) continue;
            String at = "line " + number;
            if (++count > MAX_ITEMS) {
                // Reading on would only bury this message under the problems of items that cannot be kept.
                problems.add(at + ": more than " + MAX_ITEMS + " items; a set holds at most " + MAX_ITEMS);
                break;
            }
            if (line.length() > MAX_LINE_CHARS) {
                problems.add(at + ": at most " + MAX_LINE_CHARS + " characters a line, got " + line.length());
                continue;
            }
            JsonNode node;
            try {
                node = JSON.readTree(line);
            } catch (JsonProcessingException e) {
                String column = e.getLocation() == null ? "" : " (column " + e.getLocation().getColumnNr() + ")";
                problems.add(at + ": not valid JSON: " + jacksonMessage(e) + column);
                continue;
            }
            add(reader.read(at, node), at, seen, items, problems);
        }
        return items;
    }

    private static List<GoldenItem> readJson(String body, List<String> problems) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
            problems.add("document: not valid JSON: " + jacksonMessage(e) + where);
            return List.of();
        }
        JsonNode list = root != null && root.isObject() && root.size() == 1 ? root.get("items") : root;
        if (list == null || !list.isArray()) {
            problems.add("document: must be a list of items or {\"items\": [...]}, got " + ItemReader.shown(root));
            return List.of();
        }
        if (list.size() > MAX_ITEMS) {
            problems.add("document: at most " + MAX_ITEMS + " items, got " + list.size());
            return List.of();
        }
        ItemReader reader = new ItemReader(problems);
        Map<String, String> seen = new HashMap<>();
        List<GoldenItem> items = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String at = "items[" + i + "]";
            add(reader.read(at, list.get(i)), at, seen, items, problems);
        }
        return items;
    }

    private static void add(GoldenItem item, String at, Map<String, String> seen, List<GoldenItem> items, List<String> problems) {
        if (item == null) return;
        String first = seen.putIfAbsent(item.id(), at);
        if (first != null) {
            problems.add(at + ": id: '" + item.id() + "' repeats " + first + "; ids must be unique in a set");
        } else {
            items.add(item);
        }
    }

    private static String jacksonMessage(JsonProcessingException e) {
        // getOriginalMessage leaves out the location, which the caller states in the document's own terms.
        String message = e.getOriginalMessage();
        return ItemReader.echoed(message == null ? e.getClass().getSimpleName() : message);
    }

    /** The set as JSONL, one item per line with a trailing newline, that {@link #parse} reads back to an equal set. */
    public static String toJsonl(GoldenSet set) {
        StringBuilder out = new StringBuilder();
        for (GoldenItem item : set.items()) out.append(toTree(item)).append('\n');
        return out.toString();
    }

    /** One item as its document line: id, messages or prompt, the other request fields as params, and the check. */
    public static ObjectNode toTree(GoldenItem item) {
        ObjectNode line = JSON.createObjectNode().put("id", item.id());
        ObjectNode params = item.request();
        String input = item.chat() ? "messages" : "prompt";
        line.set(input, params.remove(input));
        if (!params.isEmpty()) line.set("params", params);
        line.set("check", toTree(item.check()));
        return line;
    }

    /** A check as its document object, every field explicit (defaults filled in). */
    public static ObjectNode toTree(Check check) {
        ObjectNode tree = JSON.createObjectNode().put("kind", check.kind());
        if (check instanceof Check.Exact exact) {
            tree.put("value", exact.value());
        } else if (check instanceof Check.Contains contains) {
            tree.put("value", contains.value());
        } else if (check instanceof Check.Regex regex) {
            tree.put("pattern", regex.pattern());
        } else if (check instanceof Check.OneOf oneOf) {
            ArrayNode values = tree.putArray("values");
            oneOf.values().forEach(values::add);
        } else if (check instanceof Check.NumberCheck number) {
            tree.put("value", number.value()).put("tolerance", number.tolerance());
        } else if (check instanceof Check.JsonSchema schema) {
            tree.set("schema", schema.schema());
        } else if (check instanceof Check.Semantic semantic) {
            tree.put("reference", semantic.reference()).put("minSimilarity", semantic.minSimilarity());
        } else if (check instanceof Check.ToolCall toolCall) {
            tree.put("name", toolCall.name());
            if (toolCall.arguments() != null) tree.set("arguments", toolCall.arguments());
        }
        return tree;
    }
}
