package dev.turnout.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The OpenAI Responses API ({@code POST /v1/responses}, the default of Vercel's AI SDK and of
 * {@code client.responses.create}) on top of the chat answers: the request is read as the chat
 * request it stands for, so paraphrase, skill, drift, JSON mode and {@code max_tokens} behave
 * alike; the answer is wrapped as one assistant {@code message} output item. Text only: tools are
 * not offered to the answer, since the simulator's tool calls are shaped for chat. Pure: no Vert.x.
 */
final class SimResponses {

    /** Index of the first {@code response.output_text.delta} in {@link #events}. */
    static final int FIRST_DELTA = 3;

    private SimResponses() {}

    /**
     * The chat request a Responses request stands for: {@code instructions} as a system message,
     * {@code input} (a string, or a list of messages whose content is a string or text parts) as
     * the messages, {@code max_output_tokens} as {@code max_tokens}, {@code text.format} as
     * {@code response_format}.
     */
    static ObjectNode asChat(JsonNode request) {
        ObjectNode chat = SimAnswers.JSON.createObjectNode();
        ArrayNode messages = chat.putArray("messages");
        if (request.path("instructions").isTextual()) {
            messages.addObject().put("role", "system").put("content", request.path("instructions").asText());
        }
        JsonNode input = request.path("input");
        if (input.isTextual()) {
            messages.addObject().put("role", "user").put("content", input.asText());
        } else if (input.isArray()) {
            for (JsonNode item : input) {
                if (item.has("content")) {
                    messages.addObject().put("role", item.path("role").asText("user")).set("content", item.get("content"));
                }
            }
        }
        if (request.has("max_output_tokens")) chat.set("max_tokens", request.get("max_output_tokens"));
        JsonNode format = request.path("text").path("format");
        if (format.path("type").asText().equals("json_schema")) {
            // The Responses API puts the schema beside the type; chat nests it under json_schema.
            ObjectNode responseFormat = chat.putObject("response_format").put("type", "json_schema");
            responseFormat.putObject("json_schema").set("schema", format.path("schema"));
        } else if (format.isObject()) {
            chat.set("response_format", format);
        }
        return chat;
    }

    /** The whole response object. */
    static ObjectNode response(String id, String model, long created, SimAnswers.Answer answer) {
        ObjectNode body = envelope(id, model, created, status(answer));
        body.putArray("output").add(item(id, answer.text(), status(answer)));
        if (answer.truncated()) body.putObject("incomplete_details").put("reason", "max_output_tokens");
        body.putObject("usage").put("input_tokens", answer.promptTokens()).put("output_tokens", answer.tokens().size())
                .put("total_tokens", answer.promptTokens() + answer.tokens().size());
        return body;
    }

    /** The server-sent events of a streamed response, in order; the deltas start at {@link #FIRST_DELTA}. */
    static List<ObjectNode> events(String id, String model, long created, SimAnswers.Answer answer) {
        List<ObjectNode> events = new ArrayList<>();
        ObjectNode started = envelope(id, model, created, "in_progress");
        started.putArray("output");
        events.add(event("response.created").set("response", started));
        ObjectNode added = item(id, "", "in_progress");
        added.putArray("content");
        events.add(event("response.output_item.added").put("output_index", 0).set("item", added));
        events.add(part("response.content_part.added", id).set("part", textPart("")));
        for (String token : answer.tokens()) events.add(part("response.output_text.delta", id).put("delta", token));
        events.add(part("response.output_text.done", id).put("text", answer.text()));
        events.add(part("response.content_part.done", id).set("part", textPart(answer.text())));
        events.add(event("response.output_item.done").put("output_index", 0).set("item", item(id, answer.text(), status(answer))));
        events.add(event(answer.truncated() ? "response.incomplete" : "response.completed")
                .set("response", response(id, model, created, answer)));
        for (int i = 0; i < events.size(); i++) events.get(i).put("sequence_number", i);
        return events;
    }

    private static String status(SimAnswers.Answer answer) {
        return answer.truncated() ? "incomplete" : "completed";
    }

    private static ObjectNode envelope(String id, String model, long created, String status) {
        return SimAnswers.JSON.createObjectNode().put("id", "resp_" + id).put("object", "response")
                .put("created_at", created).put("status", status).put("model", model);
    }

    private static ObjectNode item(String id, String text, String status) {
        ObjectNode item = SimAnswers.JSON.createObjectNode().put("type", "message").put("id", "msg_" + id)
                .put("status", status).put("role", "assistant");
        if (!status.equals("in_progress")) item.putArray("content").add(textPart(text));
        return item;
    }

    private static ObjectNode textPart(String text) {
        ObjectNode part = SimAnswers.JSON.createObjectNode().put("type", "output_text").put("text", text);
        part.putArray("annotations");
        return part;
    }

    private static ObjectNode event(String type) {
        return SimAnswers.JSON.createObjectNode().put("type", type);
    }

    private static ObjectNode part(String type, String id) {
        return event(type).put("item_id", "msg_" + id).put("output_index", 0).put("content_index", 0);
    }
}
