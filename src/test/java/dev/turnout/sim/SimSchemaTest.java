package dev.turnout.sim;

import static dev.turnout.testing.Http.json;
import static dev.turnout.testing.Http.post;
import static dev.turnout.testing.Http.send;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import dev.turnout.testing.Fixtures;
import dev.turnout.testing.Http;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;

class SimSchemaTest {

    private static final String SCHEMA = """
            {"type": "object",
             "properties": {
               "title": {"type": "string", "minLength": 3, "maxLength": 12},
               "score": {"type": "number", "minimum": 2.5, "maximum": 9},
               "count": {"type": "integer", "exclusiveMinimum": 4},
               "urgent": {"type": "boolean"},
               "mood": {"enum": ["calm", "angry"]},
               "note": {"type": ["string", "null"]},
               "tags": {"type": "array", "items": {"type": "string"}, "minItems": 2},
               "owner": {"$ref": "#/$defs/person"},
               "optional": {"type": "integer", "maximum": -5}
             },
             "required": ["title", "score", "count", "urgent", "mood", "note", "tags", "owner"],
             "additionalProperties": false,
             "$defs": {"person": {"type": "object", "properties": {"name": {"type": "string"},
                                   "age": {"anyOf": [{"type": "integer", "minimum": 18}, {"type": "null"}]}},
                                  "required": ["name", "age"]}}}
            """;

    private static JsonNode read(String text) {
        try {
            return Http.JSON.readTree(text);
        } catch (Exception e) {
            throw new AssertionError(text, e);
        }
    }

    private static void assertValid(JsonNode schema, JsonNode instance) {
        var compiled = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(schema);
        assertThat(compiled.validate(instance)).as(instance.toString()).isEmpty();
    }

    @Test
    void shouldBuildAnObjectTheSchemaAccepts() {
        JsonNode schema = read(SCHEMA);
        JsonNode instance = SimSchema.instance(schema, "Your parcel left the depot this morning.");
        assertValid(schema, instance);
        assertThat(instance.get("title").asText()).isEqualTo("Your parcel ");
        assertThat(instance.get("count").isIntegralNumber()).isTrue();
        assertThat(instance.get("mood").asText()).isEqualTo("calm");
        assertThat(instance.get("tags").size()).isEqualTo(2);
        assertThat(instance.at("/owner/age").asInt()).isEqualTo(18);
        assertThat(instance.has("optional")).isFalse();
    }

    @Test
    void shouldStopARecursiveSchemaAtTheDepthBound() {
        JsonNode schema = read("""
                {"$ref": "#/$defs/node", "$defs": {"node": {"type": "object",
                  "properties": {"children": {"type": "array", "items": {"$ref": "#/$defs/node"}}}, "required": ["children"]}}}
                """);
        JsonNode instance = SimSchema.instance(schema, "x");
        assertValid(schema, instance);
        int depth = 0;
        for (JsonNode node = instance; node.path("children").size() > 0; node = node.path("children").get(0)) depth++;
        assertThat(depth).isPositive().isLessThanOrEqualTo(SimSchema.MAX_DEPTH);
    }

    @Test
    void shouldAnswerJsonSchemaRequestsWithValidObjectsOverChatAndResponses() {
        Vertx vertx = Vertx.vertx();
        try {
            SimServer sim = Fixtures.sim(vertx, SimOptions.defaults("structured").withParaphrase(true));
            JsonNode schema = read(SCHEMA);
            String chat = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"Where is my parcel?\"}],"
                    + "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"t\",\"strict\":true,\"schema\":"
                    + schema + "}}}";
            JsonNode body = json(send(post(sim.baseUrl() + "/chat/completions", chat)));
            assertValid(schema, read(body.at("/choices/0/message/content").asText()));
            String responses = "{\"model\":\"m\",\"input\":\"Where is my parcel?\","
                    + "\"text\":{\"format\":{\"type\":\"json_schema\",\"name\":\"t\",\"schema\":" + schema + "}}}";
            JsonNode response = json(send(post(sim.baseUrl() + "/responses", responses)));
            assertValid(schema, read(response.at("/output/0/content/0/text").asText()));
        } finally {
            Fixtures.await(vertx.close());
        }
    }
}
