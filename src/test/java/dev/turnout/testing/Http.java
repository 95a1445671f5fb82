package dev.turnout.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A plain JDK HTTP client for tests: independent of Vert.x, so the gateway is checked by a client
 * that shares none of its code.
 */
public final class Http {

    public static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    private Http() {}

    public static HttpRequest.Builder post(String url, String body, String... headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) builder.setHeader(headers[i], headers[i + 1]);
        return builder;
    }

    public static HttpRequest.Builder put(String url, String body, String... headers) {
        return post(url, body, headers).method("PUT", HttpRequest.BodyPublishers.ofString(body));
    }

    public static HttpRequest.Builder patch(String url, String body, String... headers) {
        return post(url, body, headers).method("PATCH", HttpRequest.BodyPublishers.ofString(body));
    }

    public static HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError("request failed: " + e, e);
        }
    }

    public static HttpResponse<String> get(String url, String... headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET();
        for (int i = 0; i < headers.length; i += 2) builder.header(headers[i], headers[i + 1]);
        return send(builder);
    }

    /** Sends all requests with at most {@code parallelism} in flight; answers in request order. */
    public static List<HttpResponse<String>> sendAll(List<HttpRequest.Builder> requests, int parallelism) {
        List<HttpResponse<String>> responses = new ArrayList<>();
        for (int from = 0; from < requests.size(); from += parallelism) {
            List<CompletableFuture<HttpResponse<String>>> batch = new ArrayList<>();
            for (HttpRequest.Builder request : requests.subList(from, Math.min(requests.size(), from + parallelism))) {
                batch.add(CLIENT.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString()));
            }
            batch.forEach(future -> responses.add(future.join()));
        }
        return responses;
    }

    public static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + response.body(), e);
        }
    }

    public static String chat(String model) {
        return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Where is my order?\"}]}";
    }
}
