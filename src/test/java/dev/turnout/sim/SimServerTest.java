package dev.turnout.sim;

import static dev.turnout.testing.Http.json;
import static dev.turnout.testing.Http.post;
import static dev.turnout.testing.Http.send;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.turnout.testing.Fixtures;
import dev.turnout.testing.Http;
import io.vertx.core.Vertx;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SimServerTest {

    private static final String CHAT = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"Where is my parcel?\"}]";

    private Vertx vertx;
    private SimServer sim;
    private SimServer failing;

    @BeforeAll
    void start() {
        vertx = Vertx.vertx();
        sim = Fixtures.sim(vertx, SimOptions.defaults("support-v1").withTokens(8));
        failing = Fixtures.sim(vertx, SimOptions.defaults("down").withErrorRate(1.0));
    }

    @AfterAll
    void stop() {
        Fixtures.await(vertx.close());
    }

    private static List<JsonNode> events(String body) {
        List<JsonNode> events = new ArrayList<>();
        for (String block : body.split("\n\n")) {
            assertThat(block).startsWith("data: ");
            String data = block.substring(6);
            if (!data.equals("[DONE]")) events.add(Http.JSON.valueToTree(parse(data)));
        }
        return events;
    }

    private static JsonNode parse(String data) {
        try {
            return Http.JSON.readTree(data);
        } catch (Exception e) {
            throw new AssertionError(data, e);
        }
    }

    @Test
    void shouldAnswerAChatCompletionDeterministically() {
        HttpResponse<String> first = send(post(sim.baseUrl() + "/chat/completions", CHAT + "}"));
        JsonNode body = json(first);
        assertThat(first.headers().firstValue("x-sim-name")).contains("support-v1");
        assertThat(body.get("object").asText()).isEqualTo("chat.completion");
        assertThat(body.get("model").asText()).isEqualTo("m");
        assertThat(body.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
        assertThat(body.at("/usage/completion_tokens").asInt()).isEqualTo(8);
        assertThat(body.at("/usage/prompt_tokens").asInt()).isEqualTo(4);
        String content = body.at("/choices/0/message/content").asText();
        assertThat(content.split(" ")).hasSize(8);
        assertThat(json(send(post(sim.baseUrl() + "/chat/completions", CHAT + "}"))).at("/choices/0/message/content").asText())
                .isEqualTo(content);
    }

    @Test
    void shouldStreamTheSameTextAsChunksWithUsageAndDone() {
        String whole = json(send(post(sim.baseUrl() + "/chat/completions", CHAT + "}"))).at("/choices/0/message/content").asText();
        HttpResponse<String> streamed = send(post(sim.baseUrl() + "/chat/completions",
                CHAT + ",\"stream\":true,\"stream_options\":{\"include_usage\":true}}"));
        assertThat(streamed.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
        assertThat(streamed.body()).endsWith("data: [DONE]\n\n");
        List<JsonNode> events = events(streamed.body());
        assertThat(events.get(0).at("/choices/0/delta/role").asText()).isEqualTo("assistant");
        StringBuilder text = new StringBuilder();
        events.forEach(e -> text.append(e.at("/choices/0/delta/content").asText("")));
        assertThat(text.toString()).isEqualTo(whole);
        JsonNode finish = events.get(events.size() - 2);
        assertThat(finish.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
        JsonNode usage = events.get(events.size() - 1);
        assertThat(usage.get("choices").size()).isZero();
        assertThat(usage.at("/usage/completion_tokens").asInt()).isEqualTo(8);
    }

    /** Named events of a Responses API stream ({@code event:} and {@code data:} lines), checking the type agrees. */
    static List<JsonNode> namedEvents(String body) {
        List<JsonNode> events = new ArrayList<>();
        for (String block : body.split("\n\n")) {
            String[] lines = block.split("\n");
            assertThat(lines).hasSize(2);
            assertThat(lines[0]).startsWith("event: ");
            assertThat(lines[1]).startsWith("data: ");
            JsonNode event = parse(lines[1].substring(6));
            assertThat(event.get("type").asText()).isEqualTo(lines[0].substring(7));
            events.add(event);
        }
        return events;
    }

    @Test
    void shouldAnswerTheResponsesApiWithTheChatAnswer() {
        String chat = json(send(post(sim.baseUrl() + "/chat/completions", "{\"model\":\"m\",\"messages\":["
                + "{\"role\":\"system\",\"content\":\"Be brief.\"},{\"role\":\"user\",\"content\":\"Where is my parcel?\"}]}")))
                .at("/choices/0/message/content").asText();
        HttpResponse<String> answer = send(post(sim.baseUrl() + "/responses",
                "{\"model\":\"m\",\"instructions\":\"Be brief.\",\"input\":\"Where is my parcel?\"}"));
        assertThat(answer.statusCode()).isEqualTo(200);
        JsonNode body = json(answer);
        assertThat(body.get("id").asText()).startsWith("resp_");
        assertThat(body.get("object").asText()).isEqualTo("response");
        assertThat(body.get("status").asText()).isEqualTo("completed");
        assertThat(body.get("model").asText()).isEqualTo("m");
        assertThat(body.get("created_at").asLong()).isPositive();
        JsonNode item = body.at("/output/0");
        assertThat(item.get("type").asText()).isEqualTo("message");
        assertThat(item.get("id").asText()).startsWith("msg_");
        assertThat(item.get("role").asText()).isEqualTo("assistant");
        assertThat(item.at("/content/0/type").asText()).isEqualTo("output_text");
        assertThat(item.at("/content/0/annotations").isArray()).isTrue();
        assertThat(item.at("/content/0/text").asText()).isEqualTo(chat);
        assertThat(body.at("/usage/input_tokens").asInt()).isEqualTo(6);
        assertThat(body.at("/usage/output_tokens").asInt()).isEqualTo(8);
        assertThat(body.at("/usage/total_tokens").asInt()).isEqualTo(14);
        // A list of messages with text parts is the same prompt.
        JsonNode listed = json(send(post(sim.baseUrl() + "/responses", "{\"model\":\"m\",\"instructions\":\"Be brief.\","
                + "\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"Where is my parcel?\"}]}]}")));
        assertThat(listed.at("/output/0/content/0/text").asText()).isEqualTo(chat);
    }

    @Test
    void shouldStreamTheResponsesApiAsNamedEventsWithoutDone() {
        String request = "{\"model\":\"m\",\"input\":\"Where is my parcel?\"";
        String whole = json(send(post(sim.baseUrl() + "/responses", request + "}"))).at("/output/0/content/0/text").asText();
        HttpResponse<String> streamed = send(post(sim.baseUrl() + "/responses", request + ",\"stream\":true}"));
        assertThat(streamed.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
        assertThat(streamed.body()).doesNotContain("[DONE]");
        List<JsonNode> events = namedEvents(streamed.body());
        List<String> types = events.stream().map(e -> e.get("type").asText()).distinct().toList();
        assertThat(types).containsExactly("response.created", "response.output_item.added", "response.content_part.added",
                "response.output_text.delta", "response.output_text.done", "response.content_part.done",
                "response.output_item.done", "response.completed");
        StringBuilder text = new StringBuilder();
        int deltas = 0;
        for (int i = 0; i < events.size(); i++) {
            assertThat(events.get(i).get("sequence_number").asInt()).isEqualTo(i);
            if (events.get(i).get("type").asText().equals("response.output_text.delta")) {
                text.append(events.get(i).get("delta").asText());
                deltas++;
            }
        }
        assertThat(deltas).isEqualTo(8);
        assertThat(text.toString()).isEqualTo(whole);
        assertThat(events.get(0).at("/response/status").asText()).isEqualTo("in_progress");
        JsonNode completed = events.get(events.size() - 1).get("response");
        assertThat(completed.get("status").asText()).isEqualTo("completed");
        assertThat(completed.at("/output/0/content/0/text").asText()).isEqualTo(whole);
        assertThat(completed.at("/usage/output_tokens").asInt()).isEqualTo(8);
    }

    @Test
    void shouldMarkAResponseCutByMaxOutputTokensIncomplete() {
        JsonNode body = json(send(post(sim.baseUrl() + "/responses", "{\"model\":\"m\",\"input\":\"hi\",\"max_output_tokens\":3}")));
        assertThat(body.get("status").asText()).isEqualTo("incomplete");
        assertThat(body.at("/incomplete_details/reason").asText()).isEqualTo("max_output_tokens");
        assertThat(body.at("/usage/output_tokens").asInt()).isEqualTo(3);
    }

    @Test
    void shouldStreamALegacyCompletionAsTextChunksThenDone() {
        String request = "{\"model\":\"m\",\"prompt\":\"Where is my parcel?\"";
        String whole = json(send(post(sim.baseUrl() + "/completions", request + "}"))).at("/choices/0/text").asText();
        HttpResponse<String> streamed = send(post(sim.baseUrl() + "/completions",
                request + ",\"stream\":true,\"stream_options\":{\"include_usage\":true}}"));
        assertThat(streamed.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
        assertThat(streamed.body()).endsWith("data: [DONE]\n\n");
        List<JsonNode> events = events(streamed.body());
        assertThat(events).allSatisfy(e -> assertThat(e.get("object").asText()).isEqualTo("text_completion"));
        assertThat(events).hasSize(8 + 2);
        StringBuilder text = new StringBuilder();
        for (JsonNode event : events.subList(0, 8)) {
            assertThat(event.at("/choices/0/index").asInt()).isZero();
            assertThat(event.at("/choices/0/finish_reason").isNull()).isTrue();
            text.append(event.at("/choices/0/text").asText());
        }
        assertThat(text.toString()).isEqualTo(whole);
        assertThat(events.get(8).at("/choices/0/finish_reason").asText()).isEqualTo("stop");
        assertThat(events.get(8).at("/choices/0/text").asText()).isEmpty();
        assertThat(events.get(9).at("/usage/completion_tokens").asInt()).isEqualTo(8);
    }

    @Test
    void shouldAnswerNChoicesWholeAndStreamedForChat() {
        String whole = json(send(post(sim.baseUrl() + "/chat/completions", CHAT + "}"))).at("/choices/0/message/content").asText();
        JsonNode body = json(send(post(sim.baseUrl() + "/chat/completions", CHAT + ",\"n\":3}")));
        assertThat(body.get("choices").size()).isEqualTo(3);
        for (int i = 0; i < 3; i++) {
            assertThat(body.at("/choices/" + i + "/index").asInt()).isEqualTo(i);
            assertThat(body.at("/choices/" + i + "/message/content").asText()).isEqualTo(whole);
        }
        assertThat(body.at("/usage/prompt_tokens").asInt()).isEqualTo(4);
        assertThat(body.at("/usage/completion_tokens").asInt()).isEqualTo(24);
        List<JsonNode> events = events(send(post(sim.baseUrl() + "/chat/completions",
                CHAT + ",\"n\":3,\"stream\":true,\"stream_options\":{\"include_usage\":true}}")).body());
        StringBuilder[] texts = {new StringBuilder(), new StringBuilder(), new StringBuilder()};
        String[] finishes = new String[3];
        for (JsonNode event : events.subList(0, events.size() - 1)) {
            assertThat(event.get("choices").size()).isEqualTo(1);
            int index = event.at("/choices/0/index").asInt();
            texts[index].append(event.at("/choices/0/delta/content").asText(""));
            if (!event.at("/choices/0/finish_reason").isNull()) finishes[index] = event.at("/choices/0/finish_reason").asText();
        }
        for (StringBuilder text : texts) assertThat(text.toString()).isEqualTo(whole);
        assertThat(finishes).containsOnly("stop");
        assertThat(events.get(events.size() - 1).at("/usage/completion_tokens").asInt()).isEqualTo(24);
    }

    @Test
    void shouldAnswerNChoicesWholeAndStreamedForLegacyCompletions() {
        String request = "{\"model\":\"m\",\"prompt\":\"Where is my parcel?\",\"n\":2";
        JsonNode body = json(send(post(sim.baseUrl() + "/completions", request + "}")));
        assertThat(body.get("choices").size()).isEqualTo(2);
        assertThat(body.at("/choices/1/index").asInt()).isEqualTo(1);
        String whole = body.at("/choices/0/text").asText();
        assertThat(body.at("/choices/1/text").asText()).isEqualTo(whole);
        List<JsonNode> events = events(send(post(sim.baseUrl() + "/completions", request + ",\"stream\":true}")).body());
        StringBuilder[] texts = {new StringBuilder(), new StringBuilder()};
        for (JsonNode event : events) texts[event.at("/choices/0/index").asInt()].append(event.at("/choices/0/text").asText());
        assertThat(texts[0].toString()).isEqualTo(whole);
        assertThat(texts[1].toString()).isEqualTo(whole);
        assertThat(events.stream().filter(e -> e.at("/choices/0/finish_reason").isTextual()).count()).isEqualTo(2);
    }

    @Test
    void shouldRefuseNOutsideOneToEightInOpenAiShape() {
        for (String n : new String[] {"9", "0", "\"2\""}) {
            for (String path : new String[] {"/chat/completions", "/completions"}) {
                HttpResponse<String> answer = send(post(sim.baseUrl() + path,
                        "{\"model\":\"m\",\"prompt\":\"hi\",\"messages\":[],\"n\":" + n + "}"));
                assertThat(answer.statusCode()).isEqualTo(400);
                JsonNode error = json(answer).get("error");
                assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
                assertThat(error.get("param").asText()).isEqualTo("n");
                assertThat(error.get("message").asText()).startsWith("Invalid 'n'");
            }
        }
        assertThat(json(send(post(sim.baseUrl() + "/completions", "{\"model\":\"m\",\"prompt\":\"hi\",\"n\":9}")))
                .at("/error/code").asText()).isEqualTo("integer_above_max_value");
        assertThat(send(post(sim.baseUrl() + "/completions", "{\"model\":\"m\",\"prompt\":\"hi\",\"n\":8}")).statusCode())
                .isEqualTo(200);
    }

    @Test
    void shouldStopAtMaxTokensWithFinishReasonLength() {
        JsonNode body = json(send(post(sim.baseUrl() + "/chat/completions", CHAT + ",\"max_tokens\":3}")));
        assertThat(body.at("/choices/0/finish_reason").asText()).isEqualTo("length");
        assertThat(body.at("/usage/completion_tokens").asInt()).isEqualTo(3);
    }

    @Test
    void shouldStreamToolCallArgumentsInFragmentsThatJoinToJson() throws Exception {
        String request = "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"What's the weather?\"}],"
                + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"parameters\":{}}}]}";
        List<JsonNode> events = events(send(post(sim.baseUrl() + "/chat/completions", request)).body());
        StringBuilder arguments = new StringBuilder();
        int fragments = 0;
        for (JsonNode event : events) {
            JsonNode call = event.at("/choices/0/delta/tool_calls/0");
            if (!call.isMissingNode()) {
                assertThat(call.get("index").asInt()).isZero();
                arguments.append(call.at("/function/arguments").asText());
                fragments++;
            }
        }
        assertThat(fragments).isGreaterThan(1);
        assertThat(Http.JSON.readTree(arguments.toString()).get("city").asText()).isEqualTo("Paris");
        assertThat(events.get(events.size() - 1).at("/choices/0/finish_reason").asText()).isEqualTo("tool_calls");
    }

    @Test
    void shouldAnswerJsonModeWithValidJson() throws Exception {
        JsonNode body = json(send(post(sim.baseUrl() + "/chat/completions", CHAT + ",\"response_format\":{\"type\":\"json_object\"}}")));
        assertThat(Http.JSON.readTree(body.at("/choices/0/message/content").asText()).has("answer")).isTrue();
    }

    @Test
    void shouldReturnTheSameUnitVectorAsFloatsOrBase64() {
        JsonNode floats = json(send(post(sim.baseUrl() + "/embeddings", "{\"model\":\"e\",\"input\":[\"a\",\"b\"]}")));
        assertThat(floats.get("data").size()).isEqualTo(2);
        JsonNode base64 = json(send(post(sim.baseUrl() + "/embeddings", "{\"model\":\"e\",\"input\":[\"a\",\"b\"],\"encoding_format\":\"base64\"}")));
        ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(base64.at("/data/0/embedding").asText())).order(ByteOrder.LITTLE_ENDIAN);
        JsonNode vector = floats.at("/data/0/embedding");
        assertThat(bytes.remaining()).isEqualTo(vector.size() * 4);
        double norm = 0;
        for (JsonNode value : vector) {
            float decoded = bytes.getFloat();
            assertThat(decoded).isEqualTo((float) value.asDouble());
            norm += decoded * decoded;
        }
        assertThat(norm).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
        assertThat(send(post(sim.baseUrl() + "/embeddings", "{\"model\":\"e\",\"input\":[1,2]}")).statusCode()).isEqualTo(400);
    }

    @Test
    void shouldVaryAnswersFromRequestToRequestOnlyWithNoise() {
        SimServer noisy = Fixtures.sim(vertx, SimOptions.defaults("noisy").withNoise(1.0));
        java.util.Set<String> answers = new java.util.HashSet<>();
        for (int i = 0; i < 3; i++) {
            answers.add(json(send(post(noisy.baseUrl() + "/chat/completions", CHAT + "}"))).at("/choices/0/message/content").asText());
        }
        assertThat(answers).hasSize(3);
    }

    @Test
    void shouldStreamAParaphraseOfThePromptsMeaningOverHttp() {
        SimServer paraphrasing = Fixtures.sim(vertx, SimOptions.defaults("paraphrasing").withParaphrase(true));
        SimCorpus.Meaning meaning = SimCorpus.standard().meaning("Where is my parcel?\n");
        String whole = json(send(post(paraphrasing.baseUrl() + "/chat/completions", CHAT + "}"))).at("/choices/0/message/content").asText();
        assertThat(meaning.paraphrases()).contains(whole);
        String request = CHAT + ",\"stream\":true,\"stream_options\":{\"include_usage\":true}}";
        List<JsonNode> events = events(send(post(paraphrasing.baseUrl() + "/chat/completions", request)).body());
        StringBuilder streamed = new StringBuilder();
        for (JsonNode event : events) streamed.append(event.at("/choices/0/delta/content").asText(""));
        assertThat(meaning.paraphrases()).contains(streamed.toString());
        assertThat(events.get(events.size() - 1).at("/usage/completion_tokens").asInt())
                .isEqualTo(streamed.toString().split(" ").length);
    }

    @Test
    void shouldRejectNoiseOutsideZeroToOne() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SimOptions.defaults("x").withNoise(1.5))
                .hasMessageContaining("--noise must be in [0, 1]");
    }

    @Test
    void shouldFailEveryRequestAtErrorRateOne() {
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> answer = send(post(failing.baseUrl() + "/chat/completions", CHAT + "}"));
            assertThat(answer.statusCode()).isEqualTo(500);
            assertThat(json(answer).at("/error/type").asText()).isEqualTo("server_error");
        }
    }

    @Test
    void shouldAnswerBadRequestsInOpenAiShape() {
        assertThat(json(send(post(sim.baseUrl() + "/chat/completions", "{oops"))).at("/error/message").asText()).isNotBlank();
        HttpResponse<String> unknown = send(post(sim.baseUrl() + "/nothing", "{}"));
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(json(unknown).at("/error/code").asText()).isEqualTo("sim_unknown_url");
        assertThat(json(unknown).at("/error/message").asText())
                .startsWith("the simulator (turnout sim support-v1) has no POST /v1/nothing");
        assertThat(json(Http.get(sim.baseUrl() + "/nothing")).at("/error/code").asText()).isEqualTo("sim_unknown_url");
        HttpResponse<String> wrongMethod = Http.get(sim.baseUrl() + "/chat/completions");
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
        assertThat(json(wrongMethod).at("/error/code").asText()).isEqualTo("sim_method_not_allowed");
        assertThat(json(Http.get(sim.baseUrl() + "/models")).at("/data/0/id").asText()).isEqualTo("support-v1");
    }
}
