package dev.turnout.diff;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResponseAssemblerTest {

    private static final String ID = "\"id\":\"chatcmpl-9\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o\"";

    /** A real-shaped stream: role chunk, content in pieces (with "é" and an emoji), finish, usage, [DONE]. */
    static final String TEXT_STREAM = String.join("",
            "data: {" + ID + ",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}\n\n",
            "data: {" + ID + ",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Your café \"},\"finish_reason\":null}]}\n\n",
            ": keep-alive comment\n\n",
            "data: {" + ID + ",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"order ships 🚚 today.\"},\"finish_reason\":null}]}\n\n",
            "data: {" + ID + ",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n",
            "data: {" + ID + ",\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":6,\"total_tokens\":15}}\n\n",
            "data: [DONE]\n\n");

    /** Two tool calls whose argument fragments interleave across chunks, as parallel tool calls do. */
    static final String TOOL_STREAM = String.join("",
            "data: {" + ID + ",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":["
                    + "{\"index\":0,\"id\":\"call_a\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]},\"finish_reason\":null}]}\n\n",
            "data: {" + ID + ",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"city\\\": \\\"Pa\"}}]},\"finish_reason\":null}]}\n\n",
            "data: {" + ID + ",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,\"id\":\"call_b\",\"type\":\"function\",\"function\":{\"name\":\"get_time\",\"arguments\":\"{\\\"tz\\\":\"}}]},\"finish_reason\":null}]}\n\n",
            "data: {" + ID + ",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"ris\\\"}\"}}]},\"finish_reason\":null}]}\n\n",
            "data: {" + ID + ",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,\"function\":{\"arguments\":\" \\\"CET\\\"}\"}}]},\"finish_reason\":null}]}\n\n",
            "data: {" + ID + ",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\n",
            "data: [DONE]\n\n");

    private static AssembledResponse feedInPieces(String stream, int pieceSize) {
        byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);
        ResponseAssembler assembler = new ResponseAssembler();
        for (int i = 0; i < bytes.length; i += pieceSize) assembler.feed(bytes, i, Math.min(pieceSize, bytes.length - i));
        return assembler.finish(200, false);
    }

    @Test
    void shouldRebuildTextUsageAndFinishReasonWhateverTheChunkBoundaries() {
        for (int pieceSize : new int[] {1, 2, 3, 7, 64, 100_000}) {
            AssembledResponse response = feedInPieces(TEXT_STREAM, pieceSize);
            assertThat(response.text()).as("pieces of %d bytes", pieceSize).isEqualTo("Your café order ships 🚚 today.");
            assertThat(response.finishReason()).isEqualTo("stop");
            assertThat(response.usage()).isEqualTo(new AssembledResponse.Usage(9, 6, 15));
            assertThat(response.complete()).isTrue();
            assertThat(response.failed()).isFalse();
            assertThat(response.malformedEvents()).isZero();
        }
    }

    @Test
    void shouldMergeInterleavedToolCallFragmentsByIndex() {
        AssembledResponse response = feedInPieces(TOOL_STREAM, 5);
        assertThat(response.toolCalls()).containsExactly(
                new AssembledResponse.ToolCall(0, "call_a", "get_weather", "{\"city\": \"Paris\"}"),
                new AssembledResponse.ToolCall(1, "call_b", "get_time", "{\"tz\": \"CET\"}"));
        assertThat(response.finishReason()).isEqualTo("tool_calls");
        assertThat(response.text()).isEmpty();
    }

    @Test
    void shouldMarkAStreamCutOffBeforeDone() {
        String cut = TEXT_STREAM.substring(0, TEXT_STREAM.indexOf("data: {" + ID + ",\"choices\":[{\"index\":0,\"delta\":{},"));
        AssembledResponse response = feedInPieces(cut, 11);
        assertThat(response.complete()).isFalse();
        assertThat(response.text()).isEqualTo("Your café order ships 🚚 today.");
        assertThat(response.finishReason()).isNull();
    }

    @Test
    void shouldCountMalformedEventsAndToleratesCrLf() {
        String stream = "data: {not json}\r\n\r\ndata: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"ok\"}}]}\r\n\r\ndata: [DONE]\r\n\r\n";
        AssembledResponse response = feedInPieces(stream, 4);
        assertThat(response.malformedEvents()).isEqualTo(1);
        assertThat(response.text()).isEqualTo("ok");
        assertThat(response.complete()).isTrue();
    }

    @Test
    void shouldReadWholeChatAndTextCompletionBodies() {
        String chat = "{\"id\":\"x\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
                + "\"content\":null,\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"f\","
                + "\"arguments\":\"{\\\"a\\\":1}\"}}]},\"finish_reason\":\"tool_calls\"}],"
                + "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4,\"total_tokens\":7}}";
        AssembledResponse response = ResponseAssembler.fromBody(200, chat.getBytes(StandardCharsets.UTF_8), false, false);
        assertThat(response.toolCalls()).containsExactly(new AssembledResponse.ToolCall(0, "call_1", "f", "{\"a\":1}"));
        assertThat(response.usage().completionTokens()).isEqualTo(4);
        String text = "{\"object\":\"text_completion\",\"choices\":[{\"index\":0,\"text\":\"hello\",\"finish_reason\":\"length\"}]}";
        assertThat(ResponseAssembler.fromBody(200, text.getBytes(StandardCharsets.UTF_8), false, false).text()).isEqualTo("hello");
    }

    @Test
    void shouldClassifyErrorsAndUnreadableBodies() {
        byte[] error = "{\"error\":{\"message\":\"boom\",\"type\":\"server_error\"}}".getBytes(StandardCharsets.UTF_8);
        assertThat(ResponseAssembler.fromBody(500, error, false, false).errorClass()).isEqualTo("http_500:server_error");
        assertThat(ResponseAssembler.fromBody(429, "slow down".getBytes(StandardCharsets.UTF_8), true, false).errorClass())
                .isEqualTo("http_429");
        assertThat(ResponseAssembler.fromBody(200, "{oops".getBytes(StandardCharsets.UTF_8), false, false).errorClass())
                .isEqualTo("invalid_json");
        assertThat(ResponseAssembler.fromBody(200, "{\"choices\":[".getBytes(StandardCharsets.UTF_8), false, true).errorClass())
                .isEqualTo("capture_truncated");
        assertThat(List.of(ResponseAssembler.fromBody(200, TEXT_STREAM.getBytes(StandardCharsets.UTF_8), true, true).errorClass()))
                .containsExactly("capture_truncated");
    }
}
