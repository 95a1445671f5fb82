package dev.turnout.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The simulator's OpenAI-shaped bodies, built from a request: what to say (text, a tool call, or
 * JSON), how many tokens, and the objects and stream chunks that carry it. Pure: no Vert.x.
 */
final class SimAnswers {

    static final ObjectMapper JSON = new ObjectMapper();

    /** What one chat or completion request is answered with. */
    record Answer(List<String> tokens, boolean truncated, String toolName, List<String> toolArgumentParts,
                  int promptTokens) {

        String text() {
            return String.join("", tokens);
        }

        String finishReason() {
            return toolName != null ? "tool_calls" : truncated ? "length" : "stop";
        }

        int completionTokens() {
            return toolName != null ? toolArgumentParts.size() : tokens.size();
        }
    }

    private SimAnswers() {}

    static Answer answer(SimOptions options, JsonNode request) {
        return answer(options, request, false);
    }

    /** @param drifted {@code --skill} answers are wrong ({@code --drift-after} has passed) */
    static Answer answer(SimOptions options, JsonNode request, boolean drifted) {
        String prompt = prompt(request);
        int promptTokens = SimText.countWords(prompt);
        JsonNode tools = request.path("tools");
        if (tools.isArray() && tools.size() > 0 && lastUserMessage(request).toLowerCase(Locale.ROOT).contains("weather")) {
            String tool = tools.get(0).path("function").path("name").asText("get_weather");
            String unit = SimText.choice(options.name(), options.seed(), prompt) ? "celsius" : "fahrenheit";
            // Fragments as OpenAI streams them: the JSON arrives in pieces that only parse when joined.
            return new Answer(List.of(), false, tool, List.of("{\"city\":", " \"Paris\",", " \"unit\": \"" + unit + "\"}"),
                    promptTokens);
        }
        if (options.skill()) {
            Answer skilled = SimSkill.answer(request, request.has("messages") ? lastUserMessage(request) : prompt, drifted,
                    promptTokens);
            if (skilled != null) return skilled;
        }
        int limit = request.path("max_completion_tokens").asInt(request.path("max_tokens").asInt(Integer.MAX_VALUE));
        String format = request.path("response_format").path("type").asText("");
        JsonNode schema = request.path("response_format").path("json_schema").path("schema");
        if (format.equals("json_schema") && schema.isObject()) {
            // The prose answer says what the schema's strings say; the object is one token, as JSON mode's is.
            Answer prose = proseAnswer(options, prompt, promptTokens, limit, false);
            return new Answer(List.of(SimSchema.instance(schema, prose.text()).toString()), prose.truncated(), null, List.of(),
                    promptTokens);
        }
        return proseAnswer(options, prompt, promptTokens, limit, format.equals("json_object") || format.equals("json_schema"));
    }

    /** The corpus or word-salad answer, as text or wrapped in JSON mode's {@code {"answer", "tokens"}} object. */
    private static Answer proseAnswer(SimOptions options, String prompt, int promptTokens, int limit, boolean json) {
        if (options.fromCorpus()) return corpusAnswer(options, prompt, promptTokens, limit, json);
        int count = Math.max(1, Math.min(options.tokens(), limit));
        List<String> words = new ArrayList<>(SimText.words(options.name(), options.seed(), prompt, count));
        addNoise(words, options.noise());
        List<String> tokens = new ArrayList<>(count);
        if (json) {
            tokens.add("{\"answer\": \"" + String.join(" ", words) + "\", \"tokens\": " + count + "}");
        } else {
            for (int i = 0; i < words.size(); i++) tokens.add(i == 0 ? capitalise(words.get(0)) : " " + words.get(i));
            tokens.set(tokens.size() - 1, tokens.get(tokens.size() - 1) + ".");
        }
        return new Answer(tokens, count < options.tokens(), null, List.of(), promptTokens);
    }

    /**
     * An answer from {@link SimCorpus}: one token per word, as the word-salad answers have. Its length
     * is the corpus text's own, not {@code --tokens} (padding or cutting a sentence would change what
     * it means); a request's {@code max_tokens} still cuts it, with {@code finish_reason: length}.
     */
    private static Answer corpusAnswer(SimOptions options, String prompt, int promptTokens, int limit, boolean json) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        List<String> words = new ArrayList<>(List.of(SimCorpus.standard().answer(prompt, options.contradict(), random).split(" ")));
        addNoise(words, options.noise());
        int count = Math.max(1, Math.min(words.size(), limit));
        boolean truncated = count < words.size();
        List<String> kept = words.subList(0, count);
        List<String> tokens = new ArrayList<>(count);
        if (json) {
            String answer = JSON.getNodeFactory().textNode(String.join(" ", kept)).toString();
            tokens.add("{\"answer\": " + answer + ", \"tokens\": " + count + "}");
        } else {
            for (int i = 0; i < kept.size(); i++) tokens.add(i == 0 ? kept.get(0) : " " + kept.get(i));
        }
        return new Answer(tokens, truncated, null, List.of(), promptTokens);
    }

    /** Sampling at a temperature above zero: each word is swapped for a random one with probability {@code noise}. */
    private static void addNoise(List<String> words, double noise) {
        if (noise <= 0) return;
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < words.size(); i++) {
            if (random.nextDouble() < noise) words.set(i, SimText.randomWord(random));
        }
    }

    /** A chat completion with one choice per answer (the request's {@code n}), indexed in order. */
    static ObjectNode chatCompletion(String id, String model, long created, List<Answer> answers) {
        ObjectNode body = JSON.createObjectNode().put("id", id).put("object", "chat.completion")
                .put("created", created).put("model", model);
        ArrayNode choices = body.putArray("choices");
        for (int index = 0; index < answers.size(); index++) {
            Answer answer = answers.get(index);
            ObjectNode choice = choices.addObject().put("index", index);
            ObjectNode message = choice.putObject("message").put("role", "assistant");
            if (answer.toolName() != null) {
                message.putNull("content");
                ObjectNode call = message.putArray("tool_calls").addObject().put("id", "call_" + id).put("type", "function");
                call.putObject("function").put("name", answer.toolName()).put("arguments", String.join("", answer.toolArgumentParts()));
            } else {
                message.put("content", answer.text());
            }
            message.putNull("refusal");
            choice.putNull("logprobs");
            choice.put("finish_reason", answer.finishReason());
        }
        body.set("usage", usage(answers));
        return body;
    }

    /**
     * The chunks of a streamed chat completion, without the final {@code [DONE]}, in steps written
     * together: the role chunks, then one step per token position (a chunk per choice that still
     * has a token, each carrying its choice index), the finish chunks, and the usage chunk when
     * asked. Only the token steps are paced, so n choices take as long as one.
     */
    static List<List<ObjectNode>> chatChunks(String id, String model, long created, List<Answer> answers, boolean includeUsage) {
        List<List<ObjectNode>> steps = new ArrayList<>();
        List<ObjectNode> roles = new ArrayList<>();
        for (int index = 0; index < answers.size(); index++) {
            ObjectNode first = chunk(id, model, created);
            first.withArray("choices").addObject().put("index", index).putNull("finish_reason")
                    .putObject("delta").put("role", "assistant").put("content", "");
            roles.add(first);
        }
        steps.add(roles);
        int positions = answers.stream().mapToInt(SimAnswers::parts).max().orElse(0);
        for (int position = 0; position < positions; position++) {
            List<ObjectNode> step = new ArrayList<>();
            for (int index = 0; index < answers.size(); index++) {
                Answer answer = answers.get(index);
                if (position >= parts(answer)) continue;
                ObjectNode chunk = chunk(id, model, created);
                ObjectNode delta = chunk.withArray("choices").addObject().put("index", index).putNull("finish_reason")
                        .putObject("delta");
                if (answer.toolName() != null) {
                    ObjectNode call = delta.putArray("tool_calls").addObject().put("index", 0);
                    if (position == 0) call.put("id", "call_" + id).put("type", "function");
                    ObjectNode function = call.putObject("function");
                    if (position == 0) function.put("name", answer.toolName());
                    function.put("arguments", answer.toolArgumentParts().get(position));
                } else {
                    delta.put("content", answer.tokens().get(position));
                }
                step.add(chunk);
            }
            steps.add(step);
        }
        List<ObjectNode> finishes = new ArrayList<>();
        for (int index = 0; index < answers.size(); index++) {
            ObjectNode last = chunk(id, model, created);
            last.withArray("choices").addObject().put("index", index).put("finish_reason", answers.get(index).finishReason())
                    .putObject("delta");
            finishes.add(last);
        }
        steps.add(finishes);
        if (includeUsage) {
            ObjectNode usage = chunk(id, model, created);
            usage.putArray("choices");
            usage.set("usage", usage(answers));
            steps.add(List.of(usage));
        }
        return steps;
    }

    /** A legacy completion with one choice per answer (the request's {@code n}). */
    static ObjectNode textCompletion(String id, String model, long created, List<Answer> answers) {
        ObjectNode body = JSON.createObjectNode().put("id", id).put("object", "text_completion")
                .put("created", created).put("model", model);
        ArrayNode choices = body.putArray("choices");
        for (int index = 0; index < answers.size(); index++) {
            choices.addObject().put("text", answers.get(index).text()).put("index", index).putNull("logprobs")
                    .put("finish_reason", answers.get(index).finishReason());
        }
        body.set("usage", usage(answers));
        return body;
    }

    /**
     * The chunks of a streamed legacy completion, as OpenAI sends them, in steps written together
     * (see {@link #chatChunks}): one {@code text_completion} chunk per choice and token position,
     * the finish chunks with empty text, then usage when asked; no {@code [DONE]}.
     */
    static List<List<ObjectNode>> textChunks(String id, String model, long created, List<Answer> answers, boolean includeUsage) {
        List<List<ObjectNode>> steps = new ArrayList<>();
        int positions = answers.stream().mapToInt(answer -> answer.tokens().size()).max().orElse(0);
        for (int position = 0; position < positions; position++) {
            List<ObjectNode> step = new ArrayList<>();
            for (int index = 0; index < answers.size(); index++) {
                List<String> tokens = answers.get(index).tokens();
                if (position < tokens.size()) step.add(textChunk(id, model, created, index, tokens.get(position), null));
            }
            steps.add(step);
        }
        List<ObjectNode> finishes = new ArrayList<>();
        for (int index = 0; index < answers.size(); index++) {
            finishes.add(textChunk(id, model, created, index, "", answers.get(index).finishReason()));
        }
        steps.add(finishes);
        if (includeUsage) {
            ObjectNode usage = JSON.createObjectNode().put("id", id).put("object", "text_completion")
                    .put("created", created).put("model", model);
            usage.putArray("choices");
            usage.set("usage", usage(answers));
            steps.add(List.of(usage));
        }
        return steps;
    }

    private static ObjectNode textChunk(String id, String model, long created, int index, String text, String finishReason) {
        ObjectNode chunk = JSON.createObjectNode().put("id", id).put("object", "text_completion")
                .put("created", created).put("model", model);
        chunk.putArray("choices").addObject().put("text", text).put("index", index).putNull("logprobs")
                .put("finish_reason", finishReason);
        return chunk;
    }

    /** How many content chunks an answer streams: its tokens, or its tool call's argument fragments. */
    private static int parts(Answer answer) {
        return answer.toolName() != null ? answer.toolArgumentParts().size() : answer.tokens().size();
    }

    /** Embeddings for a string or a list of strings; null when {@code input} is neither. */
    static ObjectNode embeddings(SimOptions options, JsonNode request) {
        JsonNode input = request.path("input");
        List<String> inputs = new ArrayList<>();
        if (input.isTextual()) {
            inputs.add(input.asText());
        } else if (input.isArray() && input.size() > 0) {
            for (JsonNode item : input) {
                if (!item.isTextual()) return null;
                inputs.add(item.asText());
            }
        } else {
            return null;
        }
        int dimensions = Math.max(1, Math.min(4096, request.path("dimensions").asInt(16)));
        boolean base64 = "base64".equals(request.path("encoding_format").asText("float"));
        ObjectNode body = JSON.createObjectNode().put("object", "list");
        ArrayNode data = body.putArray("data");
        int tokens = 0;
        for (int i = 0; i < inputs.size(); i++) {
            float[] vector = SimText.embedding(options.name(), options.seed(), inputs.get(i), dimensions);
            ObjectNode item = data.addObject().put("object", "embedding").put("index", i);
            if (base64) {
                ByteBuffer bytes = ByteBuffer.allocate(vector.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                for (float v : vector) bytes.putFloat(v);
                item.put("embedding", Base64.getEncoder().encodeToString(bytes.array()));
            } else {
                ArrayNode values = item.putArray("embedding");
                for (float v : vector) values.add(v);
            }
            tokens += SimText.countWords(inputs.get(i));
        }
        body.put("model", request.path("model").asText(options.name()));
        body.putObject("usage").put("prompt_tokens", tokens).put("total_tokens", tokens);
        return body;
    }

    static ObjectNode error(String message, String type, String param, String code) {
        ObjectNode body = JSON.createObjectNode();
        body.putObject("error").put("message", message).put("type", type).put("param", param).put("code", code);
        return body;
    }

    private static ObjectNode chunk(String id, String model, long created) {
        return JSON.createObjectNode().put("id", id).put("object", "chat.completion.chunk")
                .put("created", created).put("model", model);
    }

    /** The prompt is counted once (every choice answers the same one); the completions add up. */
    private static ObjectNode usage(List<Answer> answers) {
        int prompt = answers.get(0).promptTokens();
        int completion = answers.stream().mapToInt(Answer::completionTokens).sum();
        return JSON.createObjectNode().put("prompt_tokens", prompt).put("completion_tokens", completion)
                .put("total_tokens", prompt + completion);
    }

    /** The text the answer depends on: every message's text, or the completion prompt. */
    static String prompt(JsonNode request) {
        StringBuilder prompt = new StringBuilder();
        for (JsonNode message : request.path("messages")) appendText(prompt, message.path("content"));
        appendText(prompt, request.path("prompt"));
        return prompt.toString();
    }

    private static String lastUserMessage(JsonNode request) {
        StringBuilder text = new StringBuilder();
        for (JsonNode message : request.path("messages")) {
            if ("user".equals(message.path("role").asText())) {
                text.setLength(0);
                appendText(text, message.path("content"));
            }
        }
        return text.toString();
    }

    private static void appendText(StringBuilder out, JsonNode content) {
        if (content.isTextual()) {
            out.append(content.asText()).append('\n');
        } else if (content.isArray()) {
            for (JsonNode part : content) {
                if (part.isTextual()) out.append(part.asText()).append('\n');
                else if (part.path("text").isTextual()) out.append(part.path("text").asText()).append('\n');
            }
        }
    }

    private static String capitalise(String word) {
        return word.isEmpty() ? word : Character.toUpperCase(word.charAt(0)) + word.substring(1);
    }
}
