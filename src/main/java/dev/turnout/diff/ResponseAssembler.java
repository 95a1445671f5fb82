package dev.turnout.diff;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Rebuilds an OpenAI answer from its captured bytes. Streams ({@code text/event-stream}) are fed
 * chunk by chunk as they arrive, cut anywhere, even inside a UTF-8 character: events are split on
 * their blank line (ASCII, so never inside a character) before any decoding. Per choice index,
 * content deltas are concatenated and tool calls are merged by their own index, with argument
 * fragments joined in order. Whole bodies ({@code chat.completion}, {@code text_completion}) read
 * into the same shape. Not thread-safe: one assembler per captured response.
 */
public final class ResponseAssembler {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private final Map<Integer, ChoiceBuilder> choices = new TreeMap<>();
    private AssembledResponse.Usage usage;
    private boolean done;
    private int malformed;

    /** Feeds the next bytes of a stream. */
    public void feed(byte[] bytes, int offset, int length) {
        int start = 0;
        byte[] buffer;
        pending.write(bytes, offset, length);
        buffer = pending.toByteArray();
        int end;
        while ((end = eventEnd(buffer, start)) >= 0) {
            event(new String(buffer, start, end - start, StandardCharsets.UTF_8));
            start = skipSeparator(buffer, end);
        }
        pending.reset();
        pending.write(buffer, start, buffer.length - start);
    }

    public void feed(byte[] bytes) {
        feed(bytes, 0, bytes.length);
    }

    /** The stream as assembled so far; a final event without its blank line still counts. */
    public AssembledResponse finish(int status, boolean truncated) {
        if (pending.size() > 0 && !truncated) {
            event(pending.toString(StandardCharsets.UTF_8));
            pending.reset();
        }
        return build(status, truncated, done);
    }

    /** Reads a whole response: a stream when {@code streamed}, else one JSON body. */
    public static AssembledResponse fromBody(int status, byte[] body, boolean streamed, boolean truncated) {
        if (status >= 400) return errorResponse(status, body);
        if (streamed) {
            ResponseAssembler assembler = new ResponseAssembler();
            assembler.feed(body);
            return assembler.finish(status, truncated);
        }
        if (truncated) return AssembledResponse.failure(status, "capture_truncated");
        ResponseAssembler assembler = new ResponseAssembler();
        try {
            JsonNode root = JSON.readTree(body);
            for (JsonNode choice : root.path("choices")) {
                ChoiceBuilder builder = assembler.choice(choice.path("index").asInt(0));
                JsonNode message = choice.path("message");
                builder.content.append(message.path("content").asText(choice.path("text").asText("")));
                int toolIndex = 0;
                for (JsonNode call : message.path("tool_calls")) {
                    builder.toolCall(toolIndex++, call);
                }
                builder.finishReason = textOrNull(choice.path("finish_reason"));
            }
            assembler.usage(root.path("usage"));
        } catch (Exception e) {
            return AssembledResponse.failure(status, "invalid_json");
        }
        return assembler.build(status, false, true);
    }

    private static AssembledResponse errorResponse(int status, byte[] body) {
        String errorClass = "http_" + status;
        try {
            JsonNode error = JSON.readTree(body).path("error");
            String type = textOrNull(error.path("type"));
            if (type != null) errorClass += ":" + type;
        } catch (Exception notJson) {
            // The status alone classifies it.
        }
        return AssembledResponse.failure(status, errorClass);
    }

    private AssembledResponse build(int status, boolean truncated, boolean complete) {
        List<AssembledResponse.Choice> built = new ArrayList<>();
        choices.forEach((index, builder) -> built.add(builder.build(index)));
        String errorClass = truncated ? "capture_truncated" : null;
        return new AssembledResponse(status, errorClass, built, usage, complete, truncated, malformed);
    }

    private void event(String event) {
        StringBuilder data = new StringBuilder();
        for (String line : event.split("\r?\n")) {
            if (line.startsWith("data:")) {
                if (data.length() > 0) data.append('\n');
                data.append(line.substring(line.startsWith("data: ") ? 6 : 5));
            }
        }
        if (data.length() == 0) return; // comments, retry:, event: lines only
        String payload = data.toString().trim();
        if (payload.equals("[DONE]")) {
            done = true;
            return;
        }
        try {
            chunk(JSON.readTree(payload));
        } catch (Exception e) {
            malformed++;
        }
    }

    private void chunk(JsonNode chunk) {
        if (!chunk.isObject()) {
            malformed++;
            return;
        }
        for (JsonNode choice : chunk.path("choices")) {
            ChoiceBuilder builder = choice(choice.path("index").asInt(0));
            JsonNode delta = choice.path("delta");
            if (delta.path("content").isTextual()) builder.content.append(delta.path("content").asText());
            if (choice.path("text").isTextual()) builder.content.append(choice.path("text").asText());
            for (JsonNode call : delta.path("tool_calls")) builder.toolCall(call.path("index").asInt(0), call);
            String finish = textOrNull(choice.path("finish_reason"));
            if (finish != null) builder.finishReason = finish;
        }
        usage(chunk.path("usage"));
    }

    private void usage(JsonNode node) {
        if (!node.isObject()) return;
        usage = new AssembledResponse.Usage(intOrNull(node.path("prompt_tokens")), intOrNull(node.path("completion_tokens")),
                intOrNull(node.path("total_tokens")));
    }

    private ChoiceBuilder choice(int index) {
        return choices.computeIfAbsent(index, i -> new ChoiceBuilder());
    }

    private static int eventEnd(byte[] buffer, int from) {
        for (int i = from; i < buffer.length - 1; i++) {
            if (buffer[i] == '\n' && buffer[i + 1] == '\n') return i;
            if (buffer[i] == '\n' && buffer[i + 1] == '\r' && i + 2 < buffer.length && buffer[i + 2] == '\n') return i;
        }
        return -1;
    }

    private static int skipSeparator(byte[] buffer, int end) {
        return buffer[end + 1] == '\r' ? end + 3 : end + 2;
    }

    private static String textOrNull(JsonNode node) {
        return node.isTextual() ? node.asText() : null;
    }

    private static Integer intOrNull(JsonNode node) {
        return node.isNumber() ? node.asInt() : null;
    }

    private static final class ChoiceBuilder {
        final StringBuilder content = new StringBuilder();
        final Map<Integer, String[]> toolCalls = new TreeMap<>(); // index -> {id, name, arguments}
        String finishReason;

        void toolCall(int index, JsonNode call) {
            String[] parts = toolCalls.computeIfAbsent(index, i -> new String[] {null, null, ""});
            if (call.path("id").isTextual()) parts[0] = call.path("id").asText();
            JsonNode function = call.path("function");
            if (function.path("name").isTextual()) parts[1] = function.path("name").asText();
            if (function.path("arguments").isTextual()) parts[2] += function.path("arguments").asText();
        }

        AssembledResponse.Choice build(int index) {
            List<AssembledResponse.ToolCall> calls = new ArrayList<>();
            toolCalls.forEach((i, parts) -> calls.add(new AssembledResponse.ToolCall(i, parts[0], parts[1], parts[2])));
            return new AssembledResponse.Choice(index, content.toString(), calls, finishReason);
        }
    }
}
