package dev.turnout.diff;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Responses API answers ({@code POST /v1/responses}), whole and streamed, in the shapes of openai-java's {@code Response}. */
class ResponseAssemblerResponsesApiTest {

    private static final String CALL = "{\"type\":\"function_call\",\"id\":\"fc_1\",\"call_id\":\"call_a\",\"name\":\"get_weather\","
            + "\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\",\"status\":\"completed\"}";

    /** A reasoning item (no text), a message of two text parts (a refusal part between them), a function call. */
    private static final String OUTPUT = "[{\"type\":\"reasoning\",\"id\":\"rs_1\",\"summary\":[]},"
            + "{\"type\":\"message\",\"id\":\"msg_1\",\"status\":\"completed\",\"role\":\"assistant\",\"content\":["
            + "{\"type\":\"output_text\",\"text\":\"Your café \",\"annotations\":[]},"
            + "{\"type\":\"refusal\",\"refusal\":\"no\"},"
            + "{\"type\":\"output_text\",\"text\":\"ships 🚚 today.\",\"annotations\":[]}]},"
            + CALL + "]";

    private static final String USAGE = "\"usage\":{\"input_tokens\":9,\"input_tokens_details\":{\"cached_tokens\":0},"
            + "\"output_tokens\":6,\"output_tokens_details\":{\"reasoning_tokens\":0},\"total_tokens\":15}";

    private static final String WHOLE = "{\"id\":\"resp_1\",\"object\":\"response\",\"created_at\":1,\"status\":\"completed\","
            + "\"model\":\"gpt-4o\",\"output\":" + OUTPUT + ",\"incomplete_details\":null," + USAGE + "}";

    /** Named events as OpenAI sends them: no {@code [DONE]}, the final event holds the whole response again. */
    private static final String STREAM = String.join("",
            event("response.created", "{\"type\":\"response.created\",\"response\":{\"id\":\"resp_1\",\"object\":\"response\","
                    + "\"status\":\"in_progress\",\"output\":[]},\"sequence_number\":0}"),
            event("response.output_item.added", "{\"type\":\"response.output_item.added\",\"output_index\":1,\"item\":"
                    + "{\"type\":\"message\",\"id\":\"msg_1\",\"status\":\"in_progress\",\"role\":\"assistant\",\"content\":[]}}"),
            event("response.output_text.delta", "{\"type\":\"response.output_text.delta\",\"item_id\":\"msg_1\",\"output_index\":1,"
                    + "\"content_index\":0,\"delta\":\"Your café \"}"),
            ": keep-alive\n\n",
            event("response.output_text.delta", "{\"type\":\"response.output_text.delta\",\"item_id\":\"msg_1\",\"output_index\":1,"
                    + "\"content_index\":2,\"delta\":\"ships 🚚 today.\"}"),
            event("response.output_text.done", "{\"type\":\"response.output_text.done\",\"output_index\":1,\"text\":\"Your café ships 🚚 today.\"}"),
            event("response.output_item.added", "{\"type\":\"response.output_item.added\",\"output_index\":2,\"item\":"
                    + "{\"type\":\"function_call\",\"id\":\"fc_1\",\"call_id\":\"call_a\",\"name\":\"get_weather\",\"arguments\":\"\"}}"),
            event("response.function_call_arguments.delta", "{\"type\":\"response.function_call_arguments.delta\",\"item_id\":\"fc_1\","
                    + "\"output_index\":2,\"delta\":\"{\\\"city\\\":\"}"),
            event("response.function_call_arguments.delta", "{\"output_index\":2,\"delta\":\"\\\"Paris\\\"}\","
                    + "\"type\":\"response.function_call_arguments.delta\"}"),
            event("response.completed", "{\"type\":\"response.completed\",\"response\":" + WHOLE + ",\"sequence_number\":9}"));

    private static final String COMPLETED = "event: response.completed\n";

    private static String event(String type, String data) {
        return "event: " + type + "\ndata: " + data + "\n\n";
    }

    private static AssembledResponse whole(String body) {
        return ResponseAssembler.fromBody(200, body.getBytes(StandardCharsets.UTF_8), false, false);
    }

    private static AssembledResponse streamed(String stream, int pieceSize) {
        byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);
        ResponseAssembler assembler = new ResponseAssembler();
        for (int i = 0; i < bytes.length; i += pieceSize) assembler.feed(bytes, i, Math.min(pieceSize, bytes.length - i));
        return assembler.finish(200, false);
    }

    private static void assertWholeAnswer(AssembledResponse response) {
        assertThat(response.failed()).isFalse();
        assertThat(response.text()).isEqualTo("Your café ships 🚚 today.");
        // Indexed by the item's place in output, as a stream's events address it.
        assertThat(response.toolCalls()).containsExactly(new AssembledResponse.ToolCall(2, "call_a", "get_weather", "{\"city\":\"Paris\"}"));
        assertThat(response.finishReason()).isEqualTo("completed");
        assertThat(response.usage()).isEqualTo(new AssembledResponse.Usage(9, 6, 15));
        assertThat(response.complete()).isTrue();
        assertThat(response.malformedEvents()).isZero();
    }

    @Test
    void shouldReadTextToolCallsStatusAndUsageOfAWholeResponse() {
        assertWholeAnswer(whole(WHOLE));
    }

    @Test
    void shouldReadAStreamedResponseAsTheWholeOneWhateverTheChunkBoundaries() {
        for (int pieceSize : new int[] {1, 3, 7, 64, 100_000}) {
            assertWholeAnswer(streamed(STREAM, pieceSize));
        }
    }

    @Test
    void shouldBuildTextAndCallsFromDeltasWhenTheStreamStopsBeforeItsFinalEvent() {
        AssembledResponse cut = streamed(STREAM.substring(0, STREAM.indexOf(COMPLETED)), 5);
        assertThat(cut.complete()).isFalse();
        assertThat(cut.failed()).isFalse();
        assertThat(cut.text()).isEqualTo("Your café ships 🚚 today.");
        assertThat(cut.toolCalls()).containsExactly(new AssembledResponse.ToolCall(2, "call_a", "get_weather", "{\"city\":\"Paris\"}"));
        assertThat(cut.finishReason()).isNull();
        assertThat(cut.usage()).isNull();
    }

    @Test
    void shouldTakeTheFinalResponseOverItsDeltas() {
        String stream = event("response.output_text.delta", "{\"type\":\"response.output_text.delta\",\"delta\":\"draft\"}")
                + event("response.completed", "{\"type\":\"response.completed\",\"response\":{\"status\":\"completed\",\"output\":["
                + "{\"type\":\"message\",\"content\":[{\"type\":\"output_text\",\"text\":\"final\"}]}]}}");
        assertThat(streamed(stream, 4).text()).isEqualTo("final");
        // A final event without output (a proxy that trims it) leaves the deltas' text.
        String trimmed = event("response.output_text.delta", "{\"type\":\"response.output_text.delta\",\"delta\":\"draft\"}")
                + event("response.completed", "{\"type\":\"response.completed\",\"response\":{\"status\":\"completed\"}}");
        AssembledResponse response = streamed(trimmed, 4);
        assertThat(response.text()).isEqualTo("draft");
        assertThat(response.complete()).isTrue();
    }

    @Test
    void shouldReportAnIncompleteResponsesReasonAsItsFinishReason() {
        String incomplete = "{\"object\":\"response\",\"status\":\"incomplete\",\"incomplete_details\":{\"reason\":\"max_output_tokens\"},"
                + "\"output\":[{\"type\":\"message\",\"content\":[{\"type\":\"output_text\",\"text\":\"Your ca\"}]}]}";
        assertThat(whole(incomplete).finishReason()).isEqualTo("max_output_tokens");
        AssembledResponse streamed = streamed(event("response.incomplete", "{\"type\":\"response.incomplete\",\"response\":" + incomplete + "}"), 9);
        assertThat(streamed.finishReason()).isEqualTo("max_output_tokens");
        assertThat(streamed.text()).isEqualTo("Your ca");
        assertThat(streamed.complete()).isTrue();
    }

    @Test
    void shouldClassifyAFailedResponseAsAnError() {
        String failed = "{\"object\":\"response\",\"status\":\"failed\",\"error\":{\"code\":\"server_error\",\"message\":\"boom\"},\"output\":[]}";
        assertThat(whole(failed).errorClass()).isEqualTo("response_failed:server_error");
        assertThat(streamed(event("response.failed", "{\"type\":\"response.failed\",\"response\":" + failed + "}"), 6).errorClass())
                .isEqualTo("response_failed:server_error");
        assertThat(streamed(event("error", "{\"type\":\"error\",\"code\":\"rate_limit_exceeded\",\"message\":\"slow\"}"), 6).errorClass())
                .isEqualTo("response_failed:rate_limit_exceeded");
        assertThat(streamed(event("error", "{\"type\":\"error\",\"code\":null}"), 6).errorClass()).isEqualTo("response_failed");
    }

    @Test
    void shouldSurviveHostileEventsAndCountTheUnreadable() {
        String huge = "x".repeat(200_000);
        String stream = String.join("",
                event("response.output_text.delta", "{\"type\":\"response.output_text.delta\",\"delta\":\"ok \"}"),
                event("response.output_text.delta", "{\"type\":\"response.output_text.delta\",\"delta\":{\"not\":\"text\"}}"),
                event("response.output_text.delta", "{\"type\":\"response.output_text.delta\",\"delta\":\"" + huge),
                "\n\n",
                event("x", "{\"type\":42,\"delta\":\"untyped\"}"),
                event("x", "{\"type\":[\"response.output_text.delta\"],\"delta\":\"not a type\"}"),
                event("x", "{\"type\":\"response.function_call_arguments.delta\",\"output_index\":\"two\",\"delta\":7}"),
                event("x", "{\"type\":\"response.function_call_arguments.delta\",\"output_index\":1e300,\"delta\":\"{}\"}"),
                event("x", "{\"type\":\"response.output_item.added\",\"item\":\"function_call\"}"),
                event("x", "{\"type\":\"response.output_item.added\",\"output_index\":-5,\"item\":{\"type\":\"function_call\",\"name\":{}}}"),
                event("x", "{\"type\":\"response.completed\",\"response\":\"done\"}"),
                event("x", "{\"type\":\"response.completed\",\"response\":{\"output\":{\"0\":{\"type\":\"message\"}},"
                        + "\"status\":7,\"usage\":[1,2],\"incomplete_details\":\"yes\"}}"),
                event("x", "garbage"),
                event("x", "[1,2]"));
        AssembledResponse response = streamed(stream, 13);
        assertThat(response.text()).isEqualTo("ok ");
        assertThat(response.malformedEvents()).isEqualTo(3); // the cut-off huge event, garbage, an array
        assertThat(response.complete()).isTrue();
        assertThat(response.failed()).isFalse();
        assertThat(response.usage()).isNull();
        assertThat(response.finishReason()).isNull();
        // Fragments with nowhere sensible to go still land in calls without a name, never an exception.
        assertThat(response.toolCalls()).extracting(AssembledResponse.ToolCall::name).containsOnlyNulls();
    }

    @Test
    void shouldReadHostileWholeBodiesAsEmptyAnswersOrUnreadable() {
        for (String body : new String[] {
                "{\"object\":\"response\"}",
                "{\"object\":\"response\",\"output\":{\"type\":\"message\"}}",
                "{\"output\":[1,\"x\",null,{\"type\":\"message\",\"content\":\"flat\"},{\"type\":\"message\",\"content\":[{\"type\":\"output_text\",\"text\":5}]},"
                        + "{\"type\":\"function_call\",\"name\":3,\"arguments\":{}}],\"status\":[],\"usage\":\"many\"}"}) {
            AssembledResponse response = whole(body);
            assertThat(response.failed()).as(body).isFalse();
            assertThat(response.text()).as(body).isEmpty();
            assertThat(response.usage()).as(body).isNull();
        }
        assertThat(whole("{\"object\":\"response\",\"output\":[").errorClass()).isEqualTo("invalid_json");
    }
}
