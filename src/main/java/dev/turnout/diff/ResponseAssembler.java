package dev.turnout.diff;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Rebuilds an OpenAI answer from its captured bytes. Streams ({@code text/event-stream}) are fed
 * chunk by chunk as they arrive, cut anywhere, even inside a UTF-8 character: events are split on
 * their blank line (ASCII, so never inside a character) before any decoding. Per choice index,
 * content deltas are concatenated and tool calls are merged by their own index, with argument
 * fragments joined in order. Whole bodies ({@code chat.completion}, {@code text_completion}) read
 * into the same shape.
 *
 * <p>Responses API answers ({@code POST /v1/responses}) read as one choice: its text is every
 * {@code output_text} part of its {@code message} items, its tool calls its {@code function_call}
 * items (indexed by their place in {@code output}), its finish reason {@code incomplete_details.reason}
 * or else {@code status}, and a {@code failed} response is an error. Streamed, text and arguments
 * are joined from their delta events, and the final {@code response.completed} (or
 * {@code .incomplete}, {@code .failed}) event's whole response replaces them: it is the answer the
 * client keeps, and it ends the stream as {@code [DONE]} ends a chat one. Not thread-safe: one
 * assembler per captured response.
 */
public final class ResponseAssembler {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final byte[] DONE = "[DONE]".getBytes(StandardCharsets.US_ASCII);

    /** The start of an event cut by a feed boundary; empty between events, the usual case. */
    private byte[] pending = new byte[0];
    private int pendingLength;
    private final Map<Integer, ChoiceBuilder> choices = new TreeMap<>();
    private AssembledResponse.Usage usage;
    private boolean done;
    /** Why a Responses API answer failed ({@code response_failed[:<code>]}), or null. */
    private String failure;
    private int malformed;
    /** Set by {@link #eventEnd}: where the event it found ends its first line. */
    private int firstLineEnd;

    /**
     * Feeds the next bytes of a stream. Whole events are parsed where they lie, straight from the
     * bytes; only an event cut by the end of this feed is copied, to wait for its rest.
     */
    public void feed(byte[] bytes, int offset, int length) {
        byte[] buffer = bytes;
        int start = offset;
        int limit = offset + length;
        if (pendingLength > 0) {
            ensurePending(pendingLength + length);
            System.arraycopy(bytes, offset, pending, pendingLength, length);
            buffer = pending;
            start = 0;
            limit = pendingLength + length;
        }
        int end;
        while ((end = eventEnd(buffer, start, limit)) >= 0) {
            event(buffer, start, end, firstLineEnd);
            start = skipSeparator(buffer, end);
        }
        int tail = limit - start;
        if (buffer != pending) ensurePending(tail);
        System.arraycopy(buffer, start, pending, 0, tail);
        pendingLength = tail;
    }

    public void feed(byte[] bytes) {
        feed(bytes, 0, bytes.length);
    }

    private void ensurePending(int size) {
        if (pending.length < size) pending = Arrays.copyOf(pending, Math.max(size, pending.length * 2));
    }

    /** The stream as assembled so far; a final event without its blank line still counts. */
    public AssembledResponse finish(int status, boolean truncated) {
        if (pendingLength > 0 && !truncated) {
            event(pending, 0, pendingLength, -1);
            pendingLength = 0;
        }
        return build(status, truncated, done);
    }

    /** Reads a whole response: a stream when {@code streamed}, else one JSON body. */
    public static AssembledResponse fromBody(int status, byte[] body, boolean streamed, boolean truncated) {
        return fromBody(status, body, body.length, streamed, truncated);
    }

    /** As above, over the first {@code length} bytes of {@code body}, which is read in place, never copied. */
    public static AssembledResponse fromBody(int status, byte[] body, int length, boolean streamed, boolean truncated) {
        if (status >= 400) return errorResponse(status, body, length);
        if (streamed) {
            ResponseAssembler assembler = new ResponseAssembler();
            assembler.feed(body, 0, length);
            return assembler.finish(status, truncated);
        }
        if (truncated) return AssembledResponse.failure(status, "capture_truncated");
        ResponseAssembler assembler = new ResponseAssembler();
        try {
            JsonNode root = JSON.readTree(body, 0, length);
            if (root.path("object").asText().equals("response") || root.path("output").isArray()) {
                assembler.response(root);
                return assembler.build(status, false, true);
            }
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
            assembler.usage(root.path("usage"), "prompt_tokens", "completion_tokens");
        } catch (Exception e) {
            return AssembledResponse.failure(status, "invalid_json");
        }
        return assembler.build(status, false, true);
    }

    private static AssembledResponse errorResponse(int status, byte[] body, int length) {
        String errorClass = "http_" + status;
        try {
            JsonNode error = JSON.readTree(body, 0, length).path("error");
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
        String errorClass = truncated ? "capture_truncated" : failure;
        return new AssembledResponse(status, errorClass, built, usage, complete, truncated, malformed);
    }

    /**
     * One event, {@code buffer[from, to)}: its {@code data:} lines joined by newlines, trimmed, parsed.
     * {@code firstLineEnd} is where its first line ends when {@link #eventEnd} saw it, else -1: an
     * event of one line, nearly all of them, is then not scanned a second time.
     */
    private void event(byte[] buffer, int from, int to, int firstLineEnd) {
        int dataFrom = -1;
        int dataTo = -1;
        ByteArrayOutputStream joined = null; // only for the rare event with several data lines
        int line = from;
        if (firstLineEnd == to) {
            int contentEnd = to > from && buffer[to - 1] == '\r' ? to - 1 : to;
            if (startsWith(buffer, from, contentEnd, "data:")) {
                dataFrom = from + (startsWith(buffer, from, contentEnd, "data: ") ? 6 : 5);
                dataTo = contentEnd;
            }
            line = to; // the line is read
        }
        while (line < to) {
            int lineEnd = line;
            while (lineEnd < to && buffer[lineEnd] != '\n') lineEnd++;
            int contentEnd = lineEnd > line && buffer[lineEnd - 1] == '\r' ? lineEnd - 1 : lineEnd;
            if (startsWith(buffer, line, contentEnd, "data:")) {
                int value = line + (startsWith(buffer, line, contentEnd, "data: ") ? 6 : 5);
                if (dataFrom < 0) {
                    dataFrom = value;
                    dataTo = contentEnd;
                } else {
                    if (joined == null) {
                        joined = new ByteArrayOutputStream();
                        joined.write(buffer, dataFrom, dataTo - dataFrom);
                    }
                    joined.write('\n');
                    joined.write(buffer, value, contentEnd - value);
                }
            }
            line = lineEnd + 1;
        }
        if (dataFrom < 0 || dataFrom == dataTo && joined == null) return; // comments, retry:, event: lines only
        if (joined != null) {
            buffer = joined.toByteArray();
            dataFrom = 0;
            dataTo = buffer.length;
        }
        while (dataFrom < dataTo && (buffer[dataFrom] & 0xff) <= ' ') dataFrom++;
        while (dataTo > dataFrom && (buffer[dataTo - 1] & 0xff) <= ' ') dataTo--;
        if (dataTo == dataFrom) {
            malformed++; // data, but only blanks
            return;
        }
        if (Arrays.equals(buffer, dataFrom, dataTo, DONE, 0, DONE.length)) {
            done = true;
            return;
        }
        try {
            ChunkParser.Chunk chunk = ChunkParser.parse(JSON, buffer, dataFrom, dataTo - dataFrom);
            if (chunk == null) malformed++;
            else apply(chunk);
        } catch (Exception e) {
            malformed++;
        }
    }

    private static boolean startsWith(byte[] buffer, int from, int to, String prefix) {
        if (to - from < prefix.length()) return false;
        for (int i = 0; i < prefix.length(); i++) {
            if (buffer[from + i] != prefix.charAt(i)) return false;
        }
        return true;
    }

    private void apply(ChunkParser.Chunk chunk) {
        for (ChunkParser.ChoiceDelta delta : chunk.choices()) {
            ChoiceBuilder builder = choice(delta.index());
            if (delta.content() != null) builder.content.append(delta.content());
            if (delta.text() != null) builder.content.append(delta.text());
            if (delta.toolCalls() != null) {
                for (JsonNode call : delta.toolCalls()) builder.toolCall(call.path("index").asInt(0), call);
            }
            if (delta.finishReason() != null) builder.finishReason = delta.finishReason();
        }
        if (chunk.usage() != null) usage(chunk.usage(), "prompt_tokens", "completion_tokens");
        if (chunk.event() != null) event(chunk.event());
    }

    /** One Responses API event; the many this does not name (created, part added, text done...) change nothing. */
    private void event(ChunkParser.Event event) {
        switch (event.type()) {
            case "response.output_text.delta" -> {
                if (event.delta() != null) choice(0).content.append(event.delta());
            }
            case "response.output_item.added", "response.output_item.done" -> {
                if (event.item() != null && event.item().path("type").asText().equals("function_call")) {
                    choice(0).functionCall(event.outputIndex(), event.item());
                }
            }
            case "response.function_call_arguments.delta" -> {
                if (event.delta() != null) choice(0).toolCalls.computeIfAbsent(event.outputIndex(), i -> new ToolCallBuilder())
                        .arguments.append(event.delta());
            }
            case "response.completed", "response.incomplete", "response.failed" -> {
                if (event.response() != null) response(event.response());
                done = true;
            }
            case "error" -> failure = failure(event.code());
            default -> { }
        }
    }

    /**
     * A whole Responses API {@code response} object, as a body or in a stream's final event. Its
     * output, when it has any, replaces what the deltas built; its status, usage and error are read.
     */
    private void response(JsonNode response) {
        JsonNode output = response.path("output");
        if (output.isArray() && !output.isEmpty()) {
            ChoiceBuilder builder = new ChoiceBuilder();
            choices.put(0, builder);
            for (int i = 0; i < output.size(); i++) {
                JsonNode item = output.get(i);
                String type = item.path("type").asText();
                if (type.equals("function_call")) builder.functionCall(i, item);
                if (!type.equals("message") || !item.path("content").isArray()) continue;
                for (JsonNode part : item.path("content")) {
                    String text = textOrNull(part.path("text"));
                    if (text != null && part.path("type").asText().equals("output_text")) builder.content.append(text);
                }
            }
        }
        String status = textOrNull(response.path("status"));
        String incomplete = textOrNull(response.path("incomplete_details").path("reason"));
        if (status != null || incomplete != null) choice(0).finishReason = incomplete != null ? incomplete : status;
        if ("failed".equals(status)) failure = failure(textOrNull(response.path("error").path("code")));
        usage(response.path("usage"), "input_tokens", "output_tokens");
    }

    private static String failure(String code) {
        return code == null ? "response_failed" : "response_failed:" + code;
    }

    /** Chat and completions count {@code prompt_tokens}/{@code completion_tokens}; the Responses API {@code input_tokens}/{@code output_tokens}. */
    private void usage(JsonNode node, String prompt, String completion) {
        if (!node.isObject()) return;
        usage = new AssembledResponse.Usage(intOrNull(node.path(prompt)), intOrNull(node.path(completion)),
                intOrNull(node.path("total_tokens")));
    }

    private ChoiceBuilder choice(int index) {
        return choices.computeIfAbsent(index, i -> new ChoiceBuilder());
    }

    /** The end of the first whole event from {@code from} (its last line's newline), or -1; notes its first line's end. */
    private int eventEnd(byte[] buffer, int from, int limit) {
        firstLineEnd = -1;
        for (int i = from; i < limit - 1; i++) {
            if (buffer[i] != '\n') continue;
            if (firstLineEnd < 0) firstLineEnd = i;
            if (buffer[i + 1] == '\n') return i;
            if (buffer[i + 1] == '\r' && i + 2 < limit && buffer[i + 2] == '\n') return i;
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
        final Map<Integer, ToolCallBuilder> toolCalls = new TreeMap<>();
        String finishReason;

        void toolCall(int index, JsonNode call) {
            ToolCallBuilder parts = toolCalls.computeIfAbsent(index, i -> new ToolCallBuilder());
            if (call.path("id").isTextual()) parts.id = call.path("id").asText();
            JsonNode function = call.path("function");
            if (function.path("name").isTextual()) parts.name = function.path("name").asText();
            if (function.path("arguments").isTextual()) parts.arguments.append(function.path("arguments").asText());
        }

        /** A Responses API {@code function_call} item: whatever it carries replaces what was built, arguments included. */
        void functionCall(int index, JsonNode item) {
            ToolCallBuilder parts = toolCalls.computeIfAbsent(index, i -> new ToolCallBuilder());
            if (item.path("call_id").isTextual()) parts.id = item.path("call_id").asText();
            if (item.path("name").isTextual()) parts.name = item.path("name").asText();
            if (item.path("arguments").isTextual()) {
                parts.arguments.setLength(0);
                parts.arguments.append(item.path("arguments").asText());
            }
        }

        AssembledResponse.Choice build(int index) {
            List<AssembledResponse.ToolCall> calls = new ArrayList<>();
            toolCalls.forEach((i, parts) -> calls.add(new AssembledResponse.ToolCall(i, parts.id, parts.name, parts.arguments.toString())));
            return new AssembledResponse.Choice(index, content.toString(), calls, finishReason);
        }
    }

    /** Arguments arrive in many fragments: appended, not concatenated into a new string each time. */
    private static final class ToolCallBuilder {
        final StringBuilder arguments = new StringBuilder();
        String id;
        String name;
    }
}
