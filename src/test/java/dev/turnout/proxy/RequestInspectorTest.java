package dev.turnout.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RequestInspectorTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static InspectedRequest inspect(String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return RequestInspector.inspect(bytes, bytes.length);
    }

    private static String splice(String body, String newModel) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        InspectedRequest inspected = RequestInspector.inspect(bytes, bytes.length);
        byte[] model = RequestInspector.jsonString(newModel);
        return new String(bytes, 0, inspected.modelStart(), StandardCharsets.UTF_8)
                + new String(model, StandardCharsets.UTF_8)
                + new String(bytes, inspected.modelEnd(), bytes.length - inspected.modelEnd(), StandardCharsets.UTF_8);
    }

    @Test
    void shouldFindTopLevelFieldsAndIgnoreNestedOnes() {
        InspectedRequest request = inspect("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\",\"model\":\"nested\"}],"
                + "\"metadata\":{\"user\":\"nested\",\"stream\":true},\"model\":\"support-bot\",\"user\":\"u-1\","
                + "\"stream\":true,\"response_format\":{\"type\":\"json_object\"}}");
        assertThat(request.model()).isEqualTo("support-bot");
        assertThat(request.user()).isEqualTo("u-1");
        assertThat(request.stream()).isTrue();
        assertThat(request.wantsJson()).isTrue();
    }

    @Test
    void shouldSpliceTheUpstreamModelAndKeepEverythingElseByteForByte() throws Exception {
        String body = "{ \"temperature\" : 0.2,\n \"model\" :  \"support-bot\" , \"messages\":[{\"role\":\"user\",\"content\":\"héllo ✓\"}]}";
        String spliced = splice(body, "ft:support:v2");
        assertThat(spliced).isEqualTo(body.replace("\"support-bot\"", "\"ft:support:v2\""));
        assertThat(JSON.readTree(spliced).get("model").asText()).isEqualTo("ft:support:v2");
    }

    @Test
    void shouldSpliceModelsThatNeedEscapingOnEitherSide() throws Exception {
        String body = "{\"messages\":[{\"content\":\"ünïcödé first\"}],\"model\":\"we\\\"ird\\u00e9\",\"n\":1}";
        assertThat(inspect(body).model()).isEqualTo("we\"irdé");
        JsonNode spliced = JSON.readTree(splice(body, "a \"quoted\" \\ model"));
        assertThat(spliced.get("model").asText()).isEqualTo("a \"quoted\" \\ model");
        assertThat(spliced.get("n").asInt()).isEqualTo(1);
        assertThat(spliced.at("/messages/0/content").asText()).isEqualTo("ünïcödé first");
    }

    @Test
    void shouldRejectMalformedJsonWithTheOffset() {
        assertThatThrownBy(() -> inspect("{\"model\":\"a\",\"messages\":[}"))
                .isInstanceOf(RequestInspector.InvalidBodyException.class)
                .hasMessageContaining("could not parse the JSON body")
                .hasMessageContaining("at byte");
    }

    @Test
    void shouldRejectBodiesThatAreNotOneObject() {
        assertThatThrownBy(() -> inspect("[1,2]")).hasMessageContaining("must be a JSON object");
        assertThatThrownBy(() -> inspect("{\"model\":\"a\"} {\"model\":\"b\"}")).hasMessageContaining("single JSON object");
        assertThatThrownBy(() -> inspect("")).isInstanceOf(RequestInspector.InvalidBodyException.class);
    }

    @Test
    void shouldRequireAStringModel() {
        assertThatThrownBy(() -> inspect("{\"messages\":[]}"))
                .isInstanceOf(RequestInspector.InvalidBodyException.class)
                .hasMessageContaining("provide a model")
                .extracting(e -> ((RequestInspector.InvalidBodyException) e).param()).isEqualTo("model");
        assertThatThrownBy(() -> inspect("{\"model\":42}")).hasMessageContaining("'model' must be a string");
    }

    @Test
    void shouldTreatAbsentOrFalseStreamAsNotStreaming() {
        assertThat(inspect("{\"model\":\"a\"}").stream()).isFalse();
        assertThat(inspect("{\"model\":\"a\",\"stream\":false}").stream()).isFalse();
        assertThat(inspect("{\"model\":\"a\",\"response_format\":{\"type\":\"text\"}}").wantsJson()).isFalse();
    }

    @Test
    void shouldReadTheResponsesApisTextFormatAsTheRequestedResponseFormat() {
        assertThat(inspect("{\"model\":\"a\",\"input\":\"hi\",\"text\":{\"verbosity\":\"low\",\"format\":{\"type\":\"json_schema\","
                + "\"name\":\"x\",\"schema\":{\"type\":\"object\"}}}}").wantsJson()).isTrue();
        assertThat(inspect("{\"model\":\"a\",\"text\":{\"format\":{\"type\":\"json_object\"}}}").wantsJson()).isTrue();
        assertThat(inspect("{\"model\":\"a\",\"text\":{\"format\":{\"type\":\"text\"}}}").wantsJson()).isFalse();
        assertThat(inspect("{\"model\":\"a\",\"text\":\"json_object\"}").wantsJson()).isFalse();
        assertThat(inspect("{\"model\":\"a\",\"text\":{\"format\":\"json_object\"}}").wantsJson()).isFalse();
    }

    @Test
    void aDuplicateKeyIsFoundAmongManyTopLevelKeysToo() {
        StringBuilder body = new StringBuilder("{\"model\":\"a\"");
        for (int i = 0; i < 40; i++) body.append(",\"k").append(i).append("\":").append(i);
        assertThat(inspect(body + "}").model()).isEqualTo("a");
        assertThatThrownBy(() -> inspect(body + ",\"k3\":1}")).hasMessageContaining("'k3' more than once");
        assertThatThrownBy(() -> inspect(body + ",\"k30\":1}")).hasMessageContaining("'k30' more than once");
    }
}
