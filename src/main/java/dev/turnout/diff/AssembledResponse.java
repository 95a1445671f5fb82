package dev.turnout.diff;

import java.util.List;

/**
 * One model answer rebuilt into a comparable shape, whether it was streamed or not: per choice
 * the text, tool calls and finish reason, plus usage.
 *
 * @param errorClass null for a usable answer; else what went wrong: {@code http_<status>[:<type>]},
 *                   {@code timeout}, {@code connect}, {@code reset}, {@code capture_truncated},
 *                   {@code response_failed[:<code>]} (a Responses API answer whose status is {@code failed})
 * @param complete   false for a stream that ended before {@code [DONE]}
 * @param truncated  the capture hit its size cap, so the text is partial
 */
public record AssembledResponse(int status, String errorClass, List<Choice> choices, Usage usage, boolean complete,
                                boolean truncated, int malformedEvents) {

    public AssembledResponse {
        choices = List.copyOf(choices);
    }

    /**
     * One choice: {@code content} is never null (empty for a pure tool call). A Responses API answer
     * is one choice whose finish reason is its {@code incomplete_details.reason}, else its {@code status}.
     */
    public record Choice(int index, String content, List<ToolCall> toolCalls, String finishReason) {
        public Choice {
            content = content == null ? "" : content;
            toolCalls = List.copyOf(toolCalls);
        }
    }

    public record ToolCall(int index, String id, String name, String arguments) {}

    /** Token counts as the upstream reported them; null fields when it did not. */
    public record Usage(Integer promptTokens, Integer completionTokens, Integer totalTokens) {}

    /** A transport failure: no response to compare. */
    public static AssembledResponse failure(int status, String errorClass) {
        return new AssembledResponse(status, errorClass, List.of(), null, false, false, 0);
    }

    public boolean failed() {
        return errorClass != null;
    }

    /** The first choice's text, or empty. */
    public String text() {
        return choices.isEmpty() ? "" : choices.get(0).content();
    }

    public List<ToolCall> toolCalls() {
        return choices.isEmpty() ? List.of() : choices.get(0).toolCalls();
    }

    public String finishReason() {
        return choices.isEmpty() ? null : choices.get(0).finishReason();
    }
}
