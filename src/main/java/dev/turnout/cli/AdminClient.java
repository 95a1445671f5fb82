package dev.turnout.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.turnout.route.RouteCodec;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A thin, typed client of the admin API: it adds what every call needs (token, author, a content
 * type on every write, since the API refuses writes without one) and turns each failure into an
 * {@link AdminFailure} with its exit code. It knows paths and headers, not what the answers mean.
 */
final class AdminClient {

    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
    static final String JSON = "application/json";

    /** One answer of the admin API; {@code etag} is the route revision where the API sends one. */
    record Reply(int status, String body, String etag) {

        JsonNode json() {
            try {
                return RouteCodec.JSON.readTree(body);
            } catch (JsonProcessingException e) {
                throw new AdminFailure(2, status, "the admin API answered something that is not JSON: " + e.getOriginalMessage(), List.of());
            }
        }

        /** The revision in the ETag ({@code "7"}), or -1 when there is none. */
        long revision() {
            if (etag == null) return -1;
            try {
                return Long.parseLong(etag.replace("W/", "").replace("\"", "").trim());
            } catch (NumberFormatException e) {
                return -1;
            }
        }
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;
    private final String token;
    private final String author;

    /** @param token null when the admin API has none; @param author null to send none */
    AdminClient(URI base, String token, String author) {
        this.base = base;
        this.token = token;
        this.author = author;
    }

    Reply get(String path) {
        return send("GET", path, null, null, Map.of(), REQUEST_TIMEOUT);
    }

    /** A write: {@code contentType} is always sent, even with no body. */
    Reply write(String method, String path, String contentType, String body, Map<String, String> headers) {
        return send(method, path, contentType, body, headers, REQUEST_TIMEOUT);
    }

    Reply send(String method, String path, String contentType, String body, Map<String, String> headers, Duration timeout) {
        URI uri = base.resolve(path);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) request.header("content-type", contentType);
        if (token != null) request.header("authorization", "Bearer " + token);
        if (author != null) request.header("x-turnout-author", author);
        headers.forEach((name, value) -> {
            if (value != null) request.header(name, value);
        });
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException e) {
            throw new AdminFailure(2, 0, method + " " + uri + " timed out after " + timeout.toSeconds() + " s", List.of());
        } catch (ConnectException e) {
            throw new AdminFailure(2, 0, "cannot reach the admin API at " + base + " (" + method + " " + path + "): connection refused;"
                    + " set --admin or TURNOUT_ADMIN_URL", List.of());
        } catch (IOException e) {
            throw new AdminFailure(2, 0, method + " " + uri + " failed: " + e, List.of());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AdminFailure(2, 0, method + " " + uri + " interrupted", List.of());
        }
        Reply reply = new Reply(response.statusCode(), response.body(), response.headers().firstValue("etag").orElse(null));
        if (reply.status() >= 400) throw failure(method, path, reply);
        return reply;
    }

    /** The server's own message and every problem it listed; 4xx exits 1, anything else 2. */
    private static AdminFailure failure(String method, String path, Reply reply) {
        String message = reply.body();
        List<String> problems = new ArrayList<>();
        try {
            JsonNode error = RouteCodec.JSON.readTree(reply.body()).path("error");
            if (error.hasNonNull("message")) message = error.get("message").asText();
            error.path("errors").forEach(problem -> problems.add(problem.asText()));
        } catch (JsonProcessingException e) {
            // Not the API's error shape (a proxy's page, say): its text is the message.
        }
        String text = method + " " + path + ": " + reply.status() + " " + (message == null ? "" : message.strip());
        return new AdminFailure(reply.status() < 500 ? 1 : 2, reply.status(), text, problems);
    }
}
