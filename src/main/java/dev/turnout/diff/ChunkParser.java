package dev.turnout.diff;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads one streamed chunk ({@code chat.completion.chunk} or {@code text_completion}) with Jackson's
 * streaming parser, keeping only what the assembler uses: per choice its index, delta content,
 * text, tool calls and finish reason, and usage. A long answer is thousands of chunks; building a
 * whole tree for each (id, model, created, logprobs...) was most of the differ's time. Tool calls
 * and usage, small and rare, are still read as trees. Nothing is returned for a chunk that fails to
 * parse, so a malformed chunk changes nothing.
 */
final class ChunkParser {

    record ChoiceDelta(int index, String content, String text, JsonNode toolCalls, String finishReason) {}

    record Chunk(List<ChoiceDelta> choices, JsonNode usage) {}

    private ChunkParser() {}

    /** The chunk, or null when the payload is not a JSON object; throws when it is not JSON. */
    static Chunk parse(ObjectMapper json, byte[] bytes, int offset, int length) throws IOException {
        try (JsonParser parser = json.createParser(bytes, offset, length)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) return null;
            List<ChoiceDelta> choices = List.of();
            JsonNode usage = null;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                if (name.equals("choices")) {
                    choices = value == JsonToken.START_ARRAY ? choices(json, parser) : List.of();
                    if (value != JsonToken.START_ARRAY) parser.skipChildren();
                } else if (name.equals("usage")) {
                    usage = json.readTree(parser);
                } else {
                    parser.skipChildren();
                }
            }
            if (parser.currentToken() != JsonToken.END_OBJECT) throw new IOException("chunk ends before its object does");
            return new Chunk(choices, usage);
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
                case "index" -> index = value == JsonToken.VALUE_NUMBER_INT && parser.getNumberType() == JsonParser.NumberType.INT
                        ? parser.getIntValue() : json.<JsonNode>readTree(parser).asInt(0);
                case "text" -> text = value == JsonToken.VALUE_STRING ? parser.getText() : skip(parser);
                case "finish_reason" -> finishReason = value == JsonToken.VALUE_STRING ? parser.getText() : skip(parser);
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
                        if (field.equals("content")) content = inner == JsonToken.VALUE_STRING ? parser.getText() : skip(parser);
                        else if (field.equals("tool_calls")) toolCalls = json.readTree(parser);
                        else parser.skipChildren();
                    }
                }
                default -> parser.skipChildren();
            }
        }
        return new ChoiceDelta(index, content, text, toolCalls, finishReason);
    }

    /** Skips a value that is not the expected string; the field then counts as absent. */
    private static String skip(JsonParser parser) throws IOException {
        parser.skipChildren();
        return null;
    }
}
