package dev.turnout.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.turnout.config.PortInUse;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An OpenAI-compatible simulated model version: chat completions (whole or streamed, with tool
 * calls and JSON mode), legacy completions (whole or streamed), the Responses API (whole or streamed), embeddings (float or base64) and the model list.
 * Every response carries {@code x-sim-name}, so tests can tell which version answered.
 */
public final class SimServer {

    /** The paths answered to POST. */
    private static final List<String> SERVED = List.of("/v1/chat/completions", "/v1/completions", "/v1/responses",
            "/v1/embeddings");

    /** The most choices ({@code n}) one request may ask for: a bound on the work one request makes. */
    static final int MAX_CHOICES = 8;

    private final Vertx vertx;
    private final SimOptions options;
    private final HttpServer server;
    private final SplittableRandom errors;
    private final AtomicLong requests = new AtomicLong();
    /** Chat and completion requests answered, for {@code --drift-after}. */
    private final AtomicLong answered = new AtomicLong();

    private SimServer(Vertx vertx, SimOptions options) {
        this.vertx = vertx;
        this.options = options;
        this.errors = new SplittableRandom(options.seed());
        this.server = vertx.createHttpServer(new HttpServerOptions().setHost(options.host()).setPort(options.port())
                .setTcpNoDelay(true));
    }

    public static Future<SimServer> start(Vertx vertx, SimOptions options) {
        SimServer sim = new SimServer(vertx, options);
        return PortInUse.named(sim.server.requestHandler(sim::handle).listen(), "the simulated version '" + options.name() + "'",
                options.host(), options.port()).map(sim);
    }

    public int port() {
        return server.actualPort();
    }

    public String baseUrl() {
        return "http://" + options.host() + ":" + port() + "/v1";
    }

    public long requestCount() {
        return requests.get();
    }

    public Future<Void> close() {
        return server.close();
    }

    private void handle(HttpServerRequest request) {
        requests.incrementAndGet();
        HttpServerResponse response = request.response().putHeader("x-sim-name", options.name());
        String path = request.path();
        boolean known = SERVED.contains(path);
        if (request.method() == HttpMethod.GET && !known) {
            if (path.equals("/v1/models")) {
                ObjectNode list = SimAnswers.JSON.createObjectNode().put("object", "list");
                list.putArray("data").add(model());
                send(response, 200, list);
            } else if (path.equals("/v1/models/" + options.name())) {
                send(response, 200, model());
            } else {
                notFound(request);
            }
            return;
        }
        if (!known) {
            notFound(request);
            return;
        }
        if (request.method() != HttpMethod.POST) {
            send(response.putHeader("allow", "POST"), 405, SimAnswers.error("the simulator (turnout sim " + options.name()
                    + ") has no " + request.method() + " " + path + "; use POST", "invalid_request_error", null,
                    "sim_method_not_allowed"));
            return;
        }
        request.body().onSuccess(body -> answer(request, path, body));
    }

    private void answer(HttpServerRequest request, String path, Buffer body) {
        HttpServerResponse response = request.response();
        JsonNode json;
        try {
            json = SimAnswers.JSON.readTree(body.getBytes());
        } catch (Exception e) {
            json = null;
        }
        if (json == null || !json.isObject()) {
            send(response, 400, SimAnswers.error("The body must be a JSON object.", "invalid_request_error", null, null));
            return;
        }
        if (failsNow()) {
            send(response, 500, SimAnswers.error("The simulated version '" + options.name() + "' failed (error rate "
                    + options.errorRate() + ").", "server_error", null, null));
            return;
        }
        String model = json.path("model").asText(options.name());
        String id = "sim-" + Long.toHexString(SimText.mix(requests.get() ^ System.nanoTime()));
        long created = System.currentTimeMillis() / 1000;
        switch (path) {
            case "/v1/embeddings": {
                ObjectNode embeddings = SimAnswers.embeddings(options, json);
                if (embeddings == null) {
                    send(response, 400, SimAnswers.error("'input' must be a string or a non-empty list of strings.",
                            "invalid_request_error", "input", null));
                } else {
                    later(options.latencyMs(), () -> send(response, 200, embeddings));
                }
                return;
            }
            case "/v1/completions": {
                List<SimAnswers.Answer> answers = answers(json);
                if (answers == null) {
                    send(response, 400, badN(json));
                } else if (json.path("stream").asBoolean(false)) {
                    boolean includeUsage = json.path("stream_options").path("include_usage").asBoolean(false);
                    List<List<ObjectNode>> steps = SimAnswers.textChunks("cmpl-" + id, model, created, answers, includeUsage);
                    // Paced as chat: each token step is followed by tokenMs; finish and usage come at once.
                    stream(response, dataEvents(steps), 0, steps.size() - (includeUsage ? 2 : 1), "data: [DONE]\n\n");
                } else {
                    later(options.latencyMs() + options.tokenMs() * longest(answers),
                            () -> send(response, 200, SimAnswers.textCompletion("cmpl-" + id, model, created, answers)));
                }
                return;
            }
            case "/v1/responses": {
                SimAnswers.Answer answer = SimAnswers.answer(options, SimResponses.asChat(json), drifted());
                if (json.path("stream").asBoolean(false)) {
                    List<String> events = new ArrayList<>();
                    for (ObjectNode event : SimResponses.events(id, model, created, answer)) {
                        events.add("event: " + event.get("type").asText() + "\ndata: " + event + "\n\n");
                    }
                    int firstDelta = SimResponses.FIRST_DELTA;
                    stream(response, events, firstDelta, firstDelta + answer.tokens().size(), "");
                } else {
                    later(options.latencyMs() + options.tokenMs() * answer.tokens().size(),
                            () -> send(response, 200, SimResponses.response(id, model, created, answer)));
                }
                return;
            }
            default: {
                List<SimAnswers.Answer> answers = answers(json);
                if (answers == null) {
                    send(response, 400, badN(json));
                } else if (json.path("stream").asBoolean(false)) {
                    boolean includeUsage = json.path("stream_options").path("include_usage").asBoolean(false);
                    List<List<ObjectNode>> steps = SimAnswers.chatChunks("chatcmpl-" + id, model, created, answers, includeUsage);
                    // Role, finish and usage chunks follow at once; only the token steps are paced.
                    stream(response, dataEvents(steps), 1, steps.size() - (includeUsage ? 2 : 1), "data: [DONE]\n\n");
                } else {
                    later(options.latencyMs() + options.tokenMs() * longest(answers),
                            () -> send(response, 200, SimAnswers.chatCompletion("chatcmpl-" + id, model, created, answers)));
                }
            }
        }
    }

    /**
     * The request's {@code n} answers (1 when absent), or null when {@code n} is not an integer
     * from 1 to {@link #MAX_CHOICES}. The request counts once for {@code --drift-after}, whatever its n.
     */
    private List<SimAnswers.Answer> answers(JsonNode json) {
        JsonNode n = json.path("n");
        if (!n.isMissingNode() && !n.isNull() && (!n.isIntegralNumber() || n.asInt() < 1 || n.asInt() > MAX_CHOICES)) return null;
        boolean drifted = drifted();
        List<SimAnswers.Answer> answers = new ArrayList<>();
        for (int i = 0; i < Math.max(1, n.asInt(1)); i++) answers.add(SimAnswers.answer(options, json, drifted));
        return answers;
    }

    /** OpenAI's 400 for an {@code n} out of range. */
    private static ObjectNode badN(JsonNode json) {
        JsonNode n = json.path("n");
        String code = !n.isIntegralNumber() ? "invalid_type" : n.asInt() < 1 ? "integer_below_min_value" : "integer_above_max_value";
        return SimAnswers.error("Invalid 'n': expected an integer from 1 to " + MAX_CHOICES + ", but got " + n + " instead.",
                "invalid_request_error", "n", code);
    }

    private static int longest(List<SimAnswers.Answer> answers) {
        return answers.stream().mapToInt(answer -> answer.tokens().size()).max().orElse(0);
    }

    /**
     * Events written one by one: after {@code ttftMs} the first, then at once, except that after
     * each event in [{@code pacedFrom}, {@code pacedUntil}) (the tokens) {@code tokenMs} pass.
     * {@code end} closes the stream ({@code data: [DONE]} for chat, nothing for the Responses API).
     */
    private void stream(HttpServerResponse response, List<String> events, int pacedFrom, int pacedUntil, String end) {
        response.setChunked(true).putHeader("content-type", "text/event-stream").putHeader("cache-control", "no-cache");
        later(options.ttftMs(), () -> writeEvent(response, events, 0, pacedFrom, pacedUntil, end));
    }

    private void writeEvent(HttpServerResponse response, List<String> events, int index, int pacedFrom, int pacedUntil,
                            String end) {
        if (response.closed()) return;
        if (index == events.size()) {
            response.end(end);
            return;
        }
        response.write(events.get(index));
        Runnable next = () -> writeEvent(response, events, index + 1, pacedFrom, pacedUntil, end);
        if (index >= pacedFrom && index < pacedUntil && options.tokenMs() > 0) later(options.tokenMs(), next);
        else next.run();
    }

    /** Each step's chunks as {@code data:} events, written together. */
    private static List<String> dataEvents(List<List<ObjectNode>> steps) {
        List<String> events = new ArrayList<>(steps.size());
        for (List<ObjectNode> step : steps) {
            StringBuilder event = new StringBuilder();
            for (ObjectNode chunk : step) event.append("data: ").append(chunk).append("\n\n");
            events.add(event.toString());
        }
        return events;
    }

    /** Whether this request is past {@code --drift-after}; counting each chat or completion request once. */
    private boolean drifted() {
        long before = answered.getAndIncrement();
        return options.driftAfter() >= 0 && before >= options.driftAfter();
    }

    private boolean failsNow() {
        if (options.errorRate() <= 0) return false;
        synchronized (errors) {
            return errors.nextDouble() < options.errorRate();
        }
    }

    private void later(long delayMs, Runnable action) {
        if (delayMs <= 0) action.run();
        else vertx.setTimer(delayMs, timer -> action.run());
    }

    private ObjectNode model() {
        return SimAnswers.JSON.createObjectNode().put("id", options.name()).put("object", "model")
                .put("created", 0).put("owned_by", "turnout-sim");
    }

    /**
     * A 404 whose code ({@code sim_unknown_url}) and message name the simulator, not the gateway's
     * {@code unknown_url}: a newcomer seeing it through the gateway should blame the simulated version.
     */
    private void notFound(HttpServerRequest request) {
        send(request.response(), 404, SimAnswers.error("the simulator (turnout sim " + options.name() + ") has no "
                + request.method() + " " + request.path() + "; it serves POST " + String.join(", POST ", SERVED)
                + ", GET /v1/models", "invalid_request_error", null, "sim_unknown_url"));
    }

    private static void send(HttpServerResponse response, int status, ObjectNode body) {
        if (response.closed()) return;
        response.setStatusCode(status).putHeader("content-type", "application/json").end(Buffer.buffer(body.toString()));
    }
}
