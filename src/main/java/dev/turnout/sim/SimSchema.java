package dev.turnout.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A JSON value that satisfies a {@code response_format: json_schema} schema, so clients that parse
 * structured outputs (the AI SDK's {@code generateObject}, {@code client.beta.chat.completions.parse})
 * get an object they accept: {@code const} and {@code enum} take their first value; objects get
 * their {@code required} properties; arrays {@code minItems} items (at least one); strings the
 * answer's text, cut to {@code maxLength} and padded to {@code minLength}; numbers and integers
 * 1 moved into {@code minimum}..{@code maximum}; {@code anyOf}/{@code oneOf} their first choice;
 * {@code $ref} inside the schema is followed. Past {@link #MAX_DEPTH} nesting (a recursive schema)
 * objects and arrays are left empty. Formats, patterns and {@code allOf} are not honoured.
 */
final class SimSchema {

    static final int MAX_DEPTH = 8;
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private SimSchema() {}

    /** @param text what string values say: the answer the simulator would have given in prose */
    static JsonNode instance(JsonNode schema, String text) {
        return value(schema, schema, text, 0);
    }

    private static JsonNode value(JsonNode root, JsonNode schema, String text, int depth) {
        if (schema.path("$ref").isTextual() && schema.path("$ref").asText().startsWith("#")) {
            JsonNode target = root.at(schema.path("$ref").asText().substring(1));
            return depth > MAX_DEPTH || target.isMissingNode() ? NODES.nullNode() : value(root, target, text, depth + 1);
        }
        if (schema.has("const")) return schema.get("const");
        if (schema.path("enum").isArray() && schema.path("enum").size() > 0) return schema.path("enum").get(0);
        for (String choice : new String[] {"anyOf", "oneOf"}) {
            if (schema.path(choice).isArray() && schema.path(choice).size() > 0) {
                return value(root, schema.path(choice).get(0), text, depth + 1);
            }
        }
        switch (type(schema)) {
            case "object": {
                ObjectNode object = NODES.objectNode();
                if (depth >= MAX_DEPTH) return object;
                for (JsonNode name : schema.path("required")) {
                    object.set(name.asText(), value(root, schema.path("properties").path(name.asText()), text, depth + 1));
                }
                return object;
            }
            case "array": {
                ArrayNode array = NODES.arrayNode();
                if (depth >= MAX_DEPTH) return array;
                int count = Math.max(1, schema.path("minItems").asInt(0));
                if (schema.has("maxItems")) count = Math.min(count, schema.path("maxItems").asInt());
                for (int i = 0; i < count; i++) array.add(value(root, schema.path("items"), text, depth + 1));
                return array;
            }
            case "integer":
                return NODES.numberNode((long) Math.ceil(bounded(schema, 1)));
            case "number":
                return NODES.numberNode(bounded(schema, 1));
            case "boolean":
                return NODES.booleanNode(true);
            case "null":
                return NODES.nullNode();
            default:
                return NODES.textNode(string(schema, text));
        }
    }

    /** The declared type; of a list of types the first that is not {@code null}; untyped is a string. */
    private static String type(JsonNode schema) {
        JsonNode type = schema.path("type");
        if (type.isArray()) {
            for (JsonNode option : type) if (!option.asText().equals("null")) return option.asText();
            return type.size() > 0 ? "null" : "string";
        }
        if (type.isTextual()) return type.asText();
        return schema.has("properties") ? "object" : schema.has("items") ? "array" : "string";
    }

    private static double bounded(JsonNode schema, double preferred) {
        double value = preferred;
        if (schema.path("minimum").isNumber()) value = Math.max(value, schema.path("minimum").asDouble());
        if (schema.path("exclusiveMinimum").isNumber()) value = Math.max(value, Math.floor(schema.path("exclusiveMinimum").asDouble()) + 1);
        if (schema.path("maximum").isNumber()) value = Math.min(value, schema.path("maximum").asDouble());
        if (schema.path("exclusiveMaximum").isNumber()) value = Math.min(value, Math.ceil(schema.path("exclusiveMaximum").asDouble()) - 1);
        return value;
    }

    private static String string(JsonNode schema, String text) {
        String value = text;
        if (schema.path("maxLength").isInt()) value = value.substring(0, Math.min(value.length(), schema.path("maxLength").asInt()));
        int minLength = schema.path("minLength").asInt(0);
        return value.length() >= minLength ? value : value + "x".repeat(minLength - value.length());
    }
}
