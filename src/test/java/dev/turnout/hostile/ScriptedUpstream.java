package dev.turnout.hostile;

import static dev.turnout.testing.Fixtures.await;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * An upstream that behaves as the test scripts it, and lets the test wait for what it saw: requests
 * that arrived, and requests whose connection the gateway dropped before the answer ended.
 */
final class ScriptedUpstream {

    static final String OK_BODY = "{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"fine\"},"
            + "\"finish_reason\":\"stop\"}]}";

    private final HttpServer server;
    private final Semaphore arrived = new Semaphore(0);
    private final Semaphore dropped = new Semaphore(0);
    private volatile Consumer<HttpServerRequest> behaviour = ScriptedUpstream::answerOk;

    private ScriptedUpstream(Vertx vertx) {
        server = await(vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
            request.response().closeHandler(closed -> dropped.release());
            arrived.release();
            behaviour.accept(request);
        })).listen(0, "127.0.0.1"));
    }

    static ScriptedUpstream start(Vertx vertx) {
        return new ScriptedUpstream(vertx);
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.actualPort() + "/v1";
    }

    void behave(Consumer<HttpServerRequest> next) {
        behaviour = next;
    }

    static void answerOk(HttpServerRequest request) {
        request.response().putHeader("content-type", "application/json").end(OK_BODY);
    }

    /** Sends the headers and {@code bytes} of an event stream, then nothing more. */
    static Consumer<HttpServerRequest> streamThenStall(String bytes) {
        return request -> request.response().setChunked(true).putHeader("content-type", "text/event-stream").write(bytes);
    }

    void awaitArrived(int requests) {
        acquire(arrived, requests, "requests to arrive upstream");
    }

    /** Waits until the gateway has dropped the connections of this many unfinished requests. */
    void awaitDropped(int requests) {
        acquire(dropped, requests, "the gateway to drop upstream requests");
    }

    private static void acquire(Semaphore semaphore, int permits, String what) {
        try {
            if (!semaphore.tryAcquire(permits, 5, TimeUnit.SECONDS)) {
                throw new AssertionError("waited 5 s for " + permits + " " + what + "; saw " + semaphore.availablePermits());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
