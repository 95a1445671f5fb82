package dev.turnout.golden;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.PatternSyntaxException;

/**
 * Reads one parsed item into a {@link GoldenItem}, adding one problem per wrong field, each
 * prefixed with where the item is ({@code line 3: check.kind: ...}), and carrying on, so that every
 * problem of a document is reported in one answer.
 */
final class ItemReader {

    static final List<String> KINDS = List.of("exact", "contains", "regex", "oneOf", "number", "jsonSchema", "semantic", "toolCall");
    private static final List<String> ITEM_KEYS = List.of("id", "messages", "prompt", "params", "check");
    private static final List<String> ROLES = List.of("system", "developer", "user", "assistant", "tool");
    /** Keys the item states elsewhere, or that the probe decides: never in params. */
    private static final List<String> RESERVED_PARAMS = List.of("model", "messages", "prompt");
    private static final Map<String, List<String>> CHECK_KEYS = Map.of(
            "exact", List.of("value"), "contains", List.of("value"), "regex", List.of("pattern"),
            "oneOf", List.of("values"), "number", List.of("value", "tolerance"), "jsonSchema", List.of("schema"),
            "semantic", List.of("reference", "minSimilarity"), "toolCall", List.of("name", "arguments"));
    private static final int MAX_MESSAGES = 256;
    private static final int MAX_ONE_OF = 100;
    private static final int MAX_ECHOED = 64;
    private static final String EXAMPLE = "{\"id\": \"q1\", \"messages\": [{\"role\": \"user\", \"content\": \"...\"}],"
            + " \"check\": {\"kind\": \"exact\", \"value\": \"...\"}}";

    private final List<String> problems;

    ItemReader(List<String> problems) {
        this.problems = problems;
    }

    /** The item, or null when it has problems; {@code at} is {@code "line 3"} or {@code "items[2]"}. */
    GoldenItem read(String at, JsonNode node) {
        int before = problems.size();
        if (!node.isObject()) {
            problems.add(at + ": must be an object such as " + EXAMPLE + ", got " + shown(node));
            return null;
        }
        unknownKeys(at, "", node, ITEM_KEYS);
        String id = id(at, node.get("id"));
        ObjectNode request = JsonNodeFactory.instance.objectNode();
        JsonNode messages = node.get("messages");
        JsonNode prompt = node.get("prompt");
        if (messages == null && prompt == null) {
            problems.add(at + ": messages or prompt: required, one of them (messages for /chat/completions,"
                    + " prompt for /completions)");
        } else if (messages != null && prompt != null) {
            problems.add(at + ": messages, prompt: only one of them, not both");
        } else if (messages != null) {
            if (messages(at, messages)) request.set("messages", messages);
        } else if (!prompt.isTextual() || prompt.asText().isEmpty()) {
            problems.add(at + ": prompt: must be a non-empty string, got " + shown(prompt));
        } else {
            request.set("prompt", prompt);
        }
        JsonNode params = node.get("params");
        if (params != null && !params.isNull()) {
            if (params(at, params)) params.fields().forEachRemaining(field -> request.set(field.getKey(), field.getValue()));
        }
        Check check = check(at, node.get("check"), node.path("params").path("tools"), messages != null);
        if (problems.size() > before) return null;
        return new GoldenItem(id, request, check);
    }

    private String id(String at, JsonNode id) {
        if (id == null || id.isNull()) {
            problems.add(at + ": id: required, a string matching " + GoldenSets.ID.pattern());
        } else if (!id.isTextual() || !GoldenSets.ID.matcher(id.asText()).matches()) {
            problems.add(at + ": id: must be a string matching " + GoldenSets.ID.pattern() + ", got " + shown(id));
        } else {
            return id.asText();
        }
        return null;
    }

    private boolean messages(String at, JsonNode messages) {
        if (!messages.isArray() || messages.isEmpty()) {
            problems.add(at + ": messages: must be a non-empty list such as [{\"role\": \"user\", \"content\": \"...\"}], got "
                    + shown(messages));
            return false;
        }
        if (messages.size() > MAX_MESSAGES) {
            problems.add(at + ": messages: at most " + MAX_MESSAGES + " messages, got " + messages.size());
            return false;
        }
        boolean good = true;
        for (int i = 0; i < messages.size(); i++) {
            String field = "messages[" + i + "]";
            JsonNode message = messages.get(i);
            if (!message.isObject()) {
                problems.add(at + ": " + field + ": must be an object with role and content, got " + shown(message));
                good = false;
                continue;
            }
            JsonNode role = message.path("role");
            if (!role.isTextual() || !ROLES.contains(role.asText())) {
                problems.add(at + ": " + field + ".role: must be one of " + ROLES + ", got " + shown(role));
                good = false;
            }
            JsonNode content = message.get("content");
            boolean usable = content == null || content.isNull() ? message.has("tool_calls") : content.isTextual() || content.isArray();
            if (!usable) {
                problems.add(at + ": " + field + ".content: must be a string or a list of parts, got " + shown(content));
                good = false;
            }
        }
        return good;
    }

    private boolean params(String at, JsonNode params) {
        if (!params.isObject()) {
            problems.add(at + ": params: must be an object such as {\"temperature\": 0, \"max_tokens\": 64}, got " + shown(params));
            return false;
        }
        int before = problems.size();
        for (String reserved : RESERVED_PARAMS) {
            if (params.has(reserved)) {
                problems.add(at + ": params." + reserved + ": not allowed here; "
                        + (reserved.equals("model") ? "the probe names the version it asks" : "give it beside params"));
            }
        }
        number(at, params, "temperature", 0, 2);
        number(at, params, "top_p", 0, 1);
        whole(at, params, "max_tokens");
        whole(at, params, "max_completion_tokens");
        JsonNode format = params.get("response_format");
        if (format != null && !(format.isObject() && format.path("type").isTextual())) {
            problems.add(at + ": params.response_format: must be an object such as {\"type\": \"json_object\"}, got " + shown(format));
        }
        JsonNode tools = params.get("tools");
        if (tools != null) {
            if (!tools.isArray() || tools.isEmpty()) {
                problems.add(at + ": params.tools: must be a non-empty list of {\"type\": \"function\", \"function\": {\"name\": ...}}, got "
                        + shown(tools));
            } else {
                for (int i = 0; i < tools.size(); i++) {
                    if (!tools.get(i).path("function").path("name").isTextual()) {
                        problems.add(at + ": params.tools[" + i + "].function.name: required, a string");
                    }
                }
            }
        }
        JsonNode choice = params.get("tool_choice");
        if (choice != null && !choice.isTextual() && !choice.isObject()) {
            problems.add(at + ": params.tool_choice: must be a string or an object, got " + shown(choice));
        }
        JsonNode stream = params.get("stream");
        if (stream != null && !stream.isBoolean()) problems.add(at + ": params.stream: must be true or false, got " + shown(stream));
        return problems.size() == before;
    }

    private void number(String at, JsonNode params, String key, double min, double max) {
        JsonNode value = params.get(key);
        if (value != null && !(value.isNumber() && value.asDouble() >= min && value.asDouble() <= max)) {
            problems.add(at + ": params." + key + ": must be a number from " + plain(min) + " to " + plain(max) + ", got " + shown(value));
        }
    }

    private void whole(String at, JsonNode params, String key) {
        JsonNode value = params.get(key);
        if (value != null && !(value.canConvertToInt() && value.isIntegralNumber() && value.asInt() >= 1)) {
            problems.add(at + ": params." + key + ": must be a whole number of at least 1, got " + shown(value));
        }
    }

    private Check check(String at, JsonNode check, JsonNode tools, boolean chat) {
        String example = "{\"kind\": \"exact\", \"value\": \"4\"}";
        if (check == null || check.isNull()) {
            problems.add(at + ": check: required, an object such as " + example);
            return null;
        }
        if (!check.isObject()) {
            problems.add(at + ": check: must be an object such as " + example + ", got " + shown(check));
            return null;
        }
        JsonNode kindNode = check.get("kind");
        if (kindNode == null || !kindNode.isTextual()) {
            problems.add(at + ": check.kind: required, one of " + String.join(", ", KINDS) + "; got " + shown(kindNode));
            return null;
        }
        String kind = kindNode.asText();
        if (!KINDS.contains(kind)) {
            problems.add(at + ": check.kind: unknown '" + echoed(kind) + "' (expected " + String.join(", ", KINDS) + ")");
            return null;
        }
        List<String> allowed = new ArrayList<>(CHECK_KEYS.get(kind));
        allowed.add(0, "kind");
        unknownKeys(at, "check.", check, allowed);
        int before = problems.size();
        Check read = switch (kind) {
            case "exact" -> {
                String value = text(at, check, "value", false);
                yield value == null ? null : new Check.Exact(value);
            }
            case "contains" -> {
                String value = text(at, check, "value", true);
                yield value == null ? null : new Check.Contains(value);
            }
            case "regex" -> regex(at, check);
            case "oneOf" -> oneOf(at, check);
            case "number" -> numberCheck(at, check);
            case "jsonSchema" -> jsonSchema(at, check);
            case "semantic" -> semantic(at, check);
            default -> toolCall(at, check, tools, chat);
        };
        return problems.size() > before ? null : read;
    }

    private String text(String at, JsonNode check, String key, boolean nonEmpty) {
        JsonNode value = check.get(key);
        if (value == null || !value.isTextual() || (nonEmpty && value.asText().isEmpty())) {
            problems.add(at + ": check." + key + ": required, a " + (nonEmpty ? "non-empty " : "") + "string; got " + shown(value));
            return null;
        }
        return value.asText();
    }

    private Check regex(String at, JsonNode check) {
        String pattern = text(at, check, "pattern", true);
        if (pattern == null) return null;
        if (pattern.length() > GoldenSets.MAX_REGEX_CHARS) {
            problems.add(at + ": check.pattern: at most " + GoldenSets.MAX_REGEX_CHARS + " characters, got " + pattern.length());
            return null;
        }
        try {
            return new Check.Regex(pattern);
        } catch (PatternSyntaxException e) {
            problems.add(at + ": check.pattern: not a valid regular expression: " + echoed(e.getDescription())
                    + " near index " + e.getIndex());
            return null;
        }
    }

    private Check oneOf(String at, JsonNode check) {
        JsonNode values = check.get("values");
        if (values == null || !values.isArray() || values.isEmpty() || values.size() > MAX_ONE_OF) {
            problems.add(at + ": check.values: required, a list of 1 to " + MAX_ONE_OF + " strings; got " + shown(values));
            return null;
        }
        Set<String> read = new LinkedHashSet<>();
        for (int i = 0; i < values.size(); i++) {
            if (!values.get(i).isTextual()) {
                problems.add(at + ": check.values[" + i + "]: must be a string, got " + shown(values.get(i)));
            } else {
                read.add(values.get(i).asText());
            }
        }
        return read.size() == values.size() ? new Check.OneOf(List.copyOf(read)) : null;
    }

    private Check numberCheck(String at, JsonNode check) {
        JsonNode value = check.get("value");
        JsonNode tolerance = check.get("tolerance");
        boolean good = true;
        if (value == null || !value.isNumber() || !Double.isFinite(value.asDouble())) {
            problems.add(at + ": check.value: required, a number; got " + shown(value));
            good = false;
        }
        if (tolerance != null && !(tolerance.isNumber() && tolerance.asDouble() >= 0 && Double.isFinite(tolerance.asDouble()))) {
            problems.add(at + ": check.tolerance: must be a number of at least 0, got " + shown(tolerance));
            good = false;
        }
        return good ? new Check.NumberCheck(value.asDouble(), tolerance == null ? 0 : tolerance.asDouble()) : null;
    }

    private Check jsonSchema(String at, JsonNode check) {
        JsonNode schema = check.get("schema");
        if (schema == null || !schema.isObject()) {
            problems.add(at + ": check.schema: required, a JSON Schema object such as {\"type\": \"object\", \"required\": [\"name\"]};"
                    + " got " + shown(schema));
            return null;
        }
        try {
            return new Check.JsonSchema(schema);
        } catch (RuntimeException e) {
            // The validator throws its own unchecked exceptions for a schema it cannot use; they are this document's problem.
            problems.add(at + ": check.schema: not a usable JSON Schema: " + echoed(String.valueOf(e.getMessage())));
            return null;
        }
    }

    private Check semantic(String at, JsonNode check) {
        String reference = text(at, check, "reference", true);
        JsonNode min = check.get("minSimilarity");
        if (min != null && !(min.isNumber() && min.asDouble() > 0 && min.asDouble() <= 1)) {
            problems.add(at + ": check.minSimilarity: must be a number in (0, 1], got " + shown(min));
            return null;
        }
        return reference == null ? null : new Check.Semantic(reference, min == null ? GoldenSets.DEFAULT_MIN_SIMILARITY : min.asDouble());
    }

    private Check toolCall(String at, JsonNode check, JsonNode tools, boolean chat) {
        String name = text(at, check, "name", true);
        JsonNode arguments = check.get("arguments");
        if (arguments != null && !arguments.isNull() && !arguments.isObject()) {
            problems.add(at + ": check.arguments: must be an object of the arguments that must match, got " + shown(arguments));
            return null;
        }
        if (!chat) problems.add(at + ": check.kind: toolCall needs messages; /completions has no tool calls");
        if (!tools.isArray()) {
            problems.add(at + ": params.tools: required by a toolCall check: the tools the model may call");
        } else if (name != null) {
            List<String> declared = new ArrayList<>();
            tools.forEach(tool -> declared.add(tool.path("function").path("name").asText()));
            if (!declared.contains(name)) {
                problems.add(at + ": check.name: '" + echoed(name) + "' is not among params.tools " + declared);
            }
        }
        return name == null ? null : new Check.ToolCall(name, arguments);
    }

    private void unknownKeys(String at, String path, JsonNode node, List<String> allowed) {
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!allowed.contains(name)) {
                problems.add(at + ": " + path + echoed(name) + ": unknown field (expected " + String.join(", ", allowed) + ")");
            }
        }
    }

    static String shown(JsonNode value) {
        return value == null ? "nothing" : echoed(value.toString());
    }

    static String echoed(String text) {
        return text.length() <= MAX_ECHOED ? text : text.substring(0, MAX_ECHOED) + "... (" + text.length() + " characters)";
    }

    private static String plain(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }
}
