package dev.turnout.diff;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads one streamed chunk ({@code chat.completion.chunk} or {@code text_completion}) or Responses
 * API event with Jackson's streaming parser, keeping only what the assembler uses: per choice its
 * index, delta content, text, tool calls and finish reason, and usage; for an event its type, output
 * index, text or argument delta, item, response and error code. A long answer is thousands of chunks; building a
 * whole tree for each (id, model, created, logprobs...) was most of the differ's time. Tool calls
 * and usage, small and rare, are still read as trees, as are an event's item and response (a few
 * per answer; the final response holds the whole answer once). Nothing is returned for a chunk that fails to
 * parse, so a malformed chunk changes nothing.
 */
final class ChunkParser {

    record ChoiceDelta(int index, String content, String text, JsonNode toolCalls, String finishReason) {}

    /**
     * A Responses API event ({@code response.output_text.delta}, {@code response.completed}...): a
     * chunk with a top-level {@code type}. Fields it does not carry are null (index 0).
     */
    record Event(String type, int outputIndex, String delta, JsonNode item, JsonNode response, String code) {}

    /** @param event the Responses API event, or null for a chat or text completion chunk */
    record Chunk(List<ChoiceDelta> choices, JsonNode usage, Event event) {}

    private ChunkParser() {}

    /** The chunk, or null when the payload is not a JSON object; throws when it is not JSON. */
    static Chunk parse(ObjectMapper json, byte[] bytes, int offset, int length) throws IOException {
        try (JsonParser parser = json.createParser(bytes, offset, length)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) return null;
            List<ChoiceDelta> choices = List.of();
            JsonNode usage = null;
            // An event's fields may come in any order, its type last: all are kept until the end.
            String type = null;
            int outputIndex = 0;
            String delta = null;
            JsonNode item = null;
            JsonNode response = null;
            String code = null;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                switch (name) {
                    case "choices" -> {
                        choices = value == JsonToken.START_ARRAY ? choices(json, parser) : List.of();
                        if (value != JsonToken.START_ARRAY) parser.skipChildren();
                    }
                    case "usage" -> usage = json.readTree(parser);
                    case "type" -> type = string(parser, value);
                    case "output_index" -> outputIndex = index(json, parser, value);
                    case "delta" -> delta = string(parser, value);
                    case "item" -> item = json.readTree(parser);
                    case "response" -> response = json.readTree(parser);
                    case "code" -> code = string(parser, value);
                    default -> parser.skipChildren();
                }
            }
            if (parser.currentToken() != JsonToken.END_OBJECT) throw new IOException("chunk ends before its object does");
            Event event = type == null ? null : new Event(type, outputIndex, delta, item, response, code);
            return new Chunk(choices, usage, event);
        }
    }

    private static List<ChoiceDelta> choices(ObjectMapper json, JsonParser parser) throws IOException {
        List<ChoiceDelta> choices = new ArrayList<>(1);
        JsonToken token;
        while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
            if (token == null) throw new IOException("chunk ends inside its choices");
            if (token == JsonToken.START_OBJECT) {
                choices.add(choice(json, parser));
            } else {
                parser.skipChildren(); // not a choice object: as the tree reading did, an empty choice 0
                choices.add(new ChoiceDelta(0, null, null, null, null));
            }
        }
        return choices;
    }

    private static ChoiceDelta choice(ObjectMapper json, JsonParser parser) throws IOException {
        int index = 0;
        String content = null;
        String text = null;
        JsonNode toolCalls = null;
        String finishReason = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            switch (name) {
                case "index" -> index = index(json, parser, value);
                case "text" -> text = string(parser, value);
                case "finish_reason" -> finishReason = string(parser, value);
                case "delta" -> {
                    if (value != JsonToken.START_OBJECT) {
                        parser.skipChildren();
                        content = null;
                        toolCalls = null;
                        continue;
                    }
                    content = null;
                    toolCalls = null;
                    while (parser.nextToken() == JsonToken.FIELD_NAME) {
                        String field = parser.currentName();
                        JsonToken inner = parser.nextToken();
                        if (field.equals("content")) content = string(parser, inner);
                        else if (field.equals("tool_calls")) toolCalls = json.readTree(parser);
                        else parser.skipChildren();
                    }
                }
                default -> parser.skipChildren();
            }
        }
        return new ChoiceDelta(index, content, text, toolCalls, finishReason);
    }

    /** The string value, or null after skipping a value that is not one: the field then counts as absent. */
    private static String string(JsonParser parser, JsonToken value) throws IOException {
        if (value == JsonToken.VALUE_STRING) return parser.getText();
        parser.skipChildren();
        return null;
    }

    /** An int value; anything else (a float, a huge number, a string, an object) reads as Jackson's asInt does. */
    private static int index(ObjectMapper json, JsonParser parser, JsonToken value) throws IOException {
        return value == JsonToken.VALUE_NUMBER_INT && parser.getNumberType() == JsonParser.NumberType.INT
                ? parser.getIntValue() : json.<JsonNode>readTree(parser).asInt(0);
    }
}
