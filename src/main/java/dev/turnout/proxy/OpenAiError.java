package dev.turnout.proxy;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * Errors in the shape OpenAI's SDKs parse: {@code {"error":{"message","type","param","code"}}}.
 * Every error the data plane produces goes through here, so clients see one format whoever failed.
 */
public record OpenAiError(int status, String type, String code, String param, String message) {

    public static OpenAiError badRequest(String code, String param, String message) {
        return new OpenAiError(400, "invalid_request_error", code, param, message);
    }

    public static OpenAiError modelNotFound(String model) {
        return new OpenAiError(404, "invalid_request_error", "model_not_found", "model",
                "The model '" + model + "' does not exist: no alias of that name is routed by this gateway. "
                        + "GET /v1/models lists the aliases.");
    }

    public static OpenAiError unauthorized(String message) {
        return new OpenAiError(401, "invalid_request_error", "invalid_api_key", null, message);
    }

    /** A fault in the gateway itself; the message says nothing of its internals. */
    public static OpenAiError internal() {
        return new OpenAiError(500, "server_error", "internal_error", null,
                "The gateway failed while handling your request. It has been logged; retry the request.");
    }

    public String toJson() {
        StringBuilder json = new StringBuilder(96 + message.length());
        json.append("{\"error\":{\"message\":");
        quote(json, message);
        json.append(",\"type\":");
        quote(json, type);
        json.append(",\"param\":");
        quote(json, param);
        json.append(",\"code\":");
        quote(json, code);
        return json.append("}}").toString();
    }

    /** Sends this error unless the response has already started, in which case it resets the stream. */
    public Future<Void> send(HttpServerResponse response) {
        if (response.headWritten()) return response.reset();
        return response.setStatusCode(status)
                .putHeader("content-type", "application/json")
                .end(Buffer.buffer(toJson()));
    }

    /**
     * Sends this error, then closes the connection: for a request whose body was not read to its
     * end, or whose state cannot be trusted after a fault, so the connection is never reused.
     */
    public void sendAndClose(HttpServerRequest request) {
        if (request.response().ended()) {
            request.connection().close();
            return;
        }
        if (!request.response().headWritten()) request.response().putHeader("connection", "close");
        send(request.response()).onComplete(sent -> request.connection().close());
    }

    private static void quote(StringBuilder json, String value) {
        if (value == null) {
            json.append("null");
            return;
        }
        json.append('"');
        JsonStringEncoder.getInstance().quoteAsString(value, json);
        json.append('"');
    }
}
