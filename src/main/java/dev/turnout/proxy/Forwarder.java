package dev.turnout.proxy;

import dev.turnout.resilience.RetryPolicy;
import dev.turnout.route.ModelVersion;
import dev.turnout.route.RouteTable;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import java.net.ConnectException;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Sends a call upstream and relays the answer. Until the first byte goes to the client a failed
 * attempt (refused connection, time-to-first-byte timeout, 502/503/429) may be retried with
 * backoff and then failed over to the alias's fallback; after that nothing is retried, and an
 * upstream that dies mid-stream ends the client's stream with an error event.
 * <pre>
 *   attempt ──ok──▶ relay: headers, then chunks as they come (backpressure both ways, teed to shadows)
 *      │fail
 *      ├─ budget left and breaker closed ─▶ wait (jittered) ─▶ attempt again
 *      ├─ fallback available ─────────────▶ attempt on the fallback
 *      └─ otherwise ──────────────────────▶ 502 / 504 in OpenAI's error shape
 * </pre>
 */
final class Forwarder {

    private static final Logger LOG = Logger.getLogger(Forwarder.class.getName());

    private static final Set<String> RESPONSE_HEADERS_SET_HERE = Set.of("x-turnout-alias", "x-turnout-version",
            "x-turnout-revision", "x-turnout-decision", "server-timing");

    private final Vertx vertx;
    private final DataPlane plane;
    private final Upstreams upstreams;

    Forwarder(Vertx vertx, DataPlane plane, Upstreams upstreams) {
        this.vertx = vertx;
        this.plane = plane;
        this.upstreams = upstreams;
    }

    void start(ProxyCall call) {
        long total = call.decision.version().totalTimeoutMs();
        if (total > 0) call.deadlineTimer = vertx.setTimer(total, id -> totalTimeout(call, total));
        attempt(call);
    }

    /** The whole exchange took longer than the version allows: cut it, whatever stage it is in. */
    private void totalTimeout(ProxyCall call, long totalMs) {
        if (call.finished) return;
        call.deadlineTimer = -1;
        if (call.capture != null) call.capture.fail("timeout");
        HttpServerResponse response = call.request.response();
        OpenAiError error = new OpenAiError(504, "upstream_error", "upstream_timeout", null, "The model version '"
                + call.version() + "' did not finish within its total limit of " + totalMs + " ms.");
        if (!response.headWritten()) {
            error.send(response);
            finish(call, 504, "timeout");
        } else {
            if (isEventStream(response.headers().get("content-type"))) response.end(Buffer.buffer("data: " + error.toJson() + "\n\n"));
            else response.reset();
            finish(call, response.getStatusCode(), "timeout");
        }
        // Finished first, so the upstream's reset is not reported as an interrupted stream.
        if (call.upstream != null) call.upstream.reset();
    }

    /** The alias's fallback for a failing decision, if it has one that may take calls now. */
    RouteDecision fallbackFor(RouteTable table, RouteDecision failing) {
        String fallback = failing.alias().fallback();
        if (fallback == null || fallback.equals(failing.version().id()) || failing.kind() == RouteDecision.Kind.FALLBACK) {
            return null;
        }
        ModelVersion version = table.version(fallback);
        if (version == null || !plane.breakers().tryAcquire(version)) return null;
        return new RouteDecision(failing.alias(), version, RouteDecision.Kind.FALLBACK);
    }

    private void attempt(ProxyCall call) {
        ModelVersion version = call.decision.version();
        call.attempts++;
        call.versionAttempts++;
        long attemptStart = System.nanoTime();
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setHost(version.url().getHost())
                .setPort(version.port())
                .setSsl(version.tls())
                .setURI(version.basePath() + call.request.uri().substring("/v1".length()))
                // The upstream may not stay silent longer than this, before the first byte or
                // between chunks: a stuck model is cut off instead of hanging the client.
                .setIdleTimeout(version.timeoutMs());
        // Until the answer is recorded the attempt holds a breaker permit: a fault hands it back.
        upstreams.clientFor(call.table, version).request(options).onComplete(guarded(call, version, created -> {
            if (call.finished) {
                plane.breakers().released(version);
                if (created.succeeded()) created.result().reset();
                return;
            }
            if (created.failed()) {
                attemptFailed(call, version, attemptStart, created.cause());
                return;
            }
            HttpClientRequest upstream = created.result();
            call.upstream = upstream;
            plane.faults().at(FaultInjector.Stage.FORWARD_START);
            MultiMap headers = upstream.headers();
            HopByHop.copy(call.request.headers(), headers, ProxyHandler.REQUEST_HEADERS_SET_HERE);
            String authorization = upstreamAuthorization(call, version);
            if (authorization != null) headers.set("authorization", authorization);
            // A shadowed answer is teed and compared as text: ask for it uncompressed.
            if (call.capture != null) headers.set("accept-encoding", "identity");
            else if (call.request.getHeader("accept-encoding") != null) headers.set("accept-encoding", call.request.getHeader("accept-encoding"));
            call.sentNanos = System.nanoTime();
            call.request.response().closeHandler(closed -> {
                upstream.reset();
                if (!call.finished) finish(call, 499, "client_closed");
            });
            upstream.send(ProxyHandler.spliceModel(call, version.model())).onComplete(guarded(call, null, answered -> {
                if (answered.failed()) {
                    attemptFailed(call, version, attemptStart, answered.cause());
                    return;
                }
                HttpClientResponse answer = answered.result();
                long nanos = System.nanoTime() - attemptStart;
                if (answer.statusCode() >= 500 || answer.statusCode() == 429) {
                    plane.breakers().failed(version, nanos, new UpstreamStatusException(answer.statusCode()));
                } else {
                    plane.breakers().succeeded(version, nanos);
                }
                if (RetryPolicy.retryableStatus(answer.statusCode()) && nextStep(call, version) != null) {
                    upstream.reset(); // discard this answer: the client never sees it
                    retryOrFailOver(call, version, new UpstreamStatusException(answer.statusCode()));
                } else {
                    relay(call, upstream, answer);
                }
            }));
        }));
    }

    private void attemptFailed(ProxyCall call, ModelVersion version, long attemptStart, Throwable error) {
        if (call.finished) {
            // The client left and we cut the exchange: not the upstream's fault.
            plane.breakers().released(version);
            return;
        }
        plane.breakers().failed(version, System.nanoTime() - attemptStart, error);
        if (nextStep(call, version) != null) retryOrFailOver(call, version, error);
        else failBeforeResponse(call, version, error);
    }

    private enum Step { RETRY, FALLBACK }

    /** What may follow a failed attempt, or null when nothing may. */
    private Step nextStep(ProxyCall call, ModelVersion version) {
        boolean nothingSentYet = !call.request.response().headWritten();
        if (nothingSentYet && plane.retry().allows(call.versionAttempts, call.elapsedMs())) return Step.RETRY;
        String fallback = call.decision.alias().fallback();
        if (fallback != null && !fallback.equals(version.id()) && call.decision.kind() != RouteDecision.Kind.FALLBACK) {
            return Step.FALLBACK;
        }
        return null;
    }

    private void retryOrFailOver(ProxyCall call, ModelVersion version, Throwable error) {
        if (nextStep(call, version) == Step.RETRY) {
            vertx.setTimer(Math.max(1, plane.retry().delayMs(call.versionAttempts)), id -> {
                if (call.finished) return;
                if (plane.breakers().tryAcquire(version)) {
                    attempt(call);
                } else {
                    failOver(call, version, error);
                }
            });
        } else {
            failOver(call, version, error);
        }
    }

    private void failOver(ProxyCall call, ModelVersion version, Throwable error) {
        RouteDecision fallback = fallbackFor(call.table, call.decision);
        if (fallback == null) {
            failBeforeResponse(call, version, error);
            return;
        }
        call.decision = fallback;
        call.versionAttempts = 0;
        attempt(call);
    }

    private void relay(ProxyCall call, HttpClientRequest upstream, HttpClientResponse answer) {
        plane.faults().at(FaultInjector.Stage.RESPONSE_RELAY);
        HttpServerResponse response = call.request.response();
        call.headersNanos = System.nanoTime();
        response.setStatusCode(answer.statusCode());
        MultiMap headers = response.headers();
        HopByHop.copy(answer.headers(), headers, RESPONSE_HEADERS_SET_HERE);
        if (!headers.contains("content-length")) response.setChunked(true);
        headers.set("x-turnout-alias", call.alias())
                .set("x-turnout-version", call.version())
                .set("x-turnout-revision", Long.toString(call.table.revision()))
                .set("x-turnout-decision", call.decision.kind().header())
                .set("server-timing", serverTiming(call));
        if (call.capture != null) call.capture.headers(answer.statusCode(), answer.getHeader("content-type"));
        boolean eventStream = isEventStream(answer.getHeader("content-type"));
        String outcome = answer.statusCode() < 400 ? "ok" : answer.statusCode() < 500 ? "client_error" : "upstream_error";
        // A pipe with a tee: each chunk goes to the client as it arrives, a copy to the shadow
        // capture; when the client cannot keep up the upstream is paused, never buffered.
        answer.handler(guarded(call, null, chunk -> {
            if (call.firstByteNanos == 0) call.firstByteNanos = System.nanoTime();
            call.bytesOut += chunk.length();
            if (call.capture != null) call.capture.append(chunk);
            response.write(chunk);
            if (response.writeQueueFull()) {
                answer.pause();
                response.drainHandler(drained -> answer.resume());
            }
        }));
        answer.exceptionHandler(error -> {
            if (call.finished) return;
            if (call.capture != null) call.capture.fail("reset");
            if (eventStream && !response.closed()) {
                // The client holds a 200 and part of the stream: say so in-band, then close cleanly.
                response.end(Buffer.buffer("data: " + new OpenAiError(502, "upstream_error", "upstream_stream_interrupted",
                        null, "The model version '" + call.version() + "' stopped mid-stream: " + describe(error)).toJson()
                        + "\n\n"));
            } else {
                response.reset();
            }
            finish(call, answer.statusCode(), "interrupted");
        });
        answer.endHandler(guarded(call, null, end -> {
            if (call.finished) return;
            response.end();
            if (call.capture != null) call.capture.end();
            finish(call, answer.statusCode(), outcome);
        }));
        response.closeHandler(closed -> {
            if (call.finished) return;
            upstream.reset();
            if (call.capture != null) call.capture.fail("reset");
            finish(call, 499, "client_closed");
        });
    }

    /**
     * A fault in the gateway while it holds the call: 500 (or a cut response once one has started),
     * the upstream request reset, the breaker permit of an attempt in flight handed back, and the
     * connection closed, since its state can no longer be trusted.
     */
    void internalError(ProxyCall call, ModelVersion heldPermit) {
        if (call.finished) return;
        if (heldPermit != null) plane.breakers().released(heldPermit);
        if (call.capture != null) call.capture.fail("error");
        OpenAiError.internal().sendAndClose(call.request);
        finish(call, 500, "internal_error");
        // Finished first, so the upstream's reset is not reported as an interrupted stream.
        if (call.upstream != null) call.upstream.reset();
    }

    /** {@code handler}, with anything it throws turned into {@link #internalError} instead of lost on the event loop. */
    private <T> Handler<T> guarded(ProxyCall call, ModelVersion heldPermit, Handler<T> handler) {
        return event -> {
            try {
                handler.handle(event);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "request failed while forwarded", e);
                internalError(call, heldPermit);
            }
        };
    }

    private String upstreamAuthorization(ProxyCall call, ModelVersion version) {
        if (version.passAuth()) return call.request.getHeader("authorization");
        if (version.apiKeyEnv() == null) return null;
        String key = plane.environment().apply(version.apiKeyEnv());
        return key == null || key.isEmpty() ? null : "Bearer " + key;
    }

    private void failBeforeResponse(ProxyCall call, ModelVersion version, Throwable error) {
        OpenAiError openAiError;
        String outcome;
        if (error instanceof TimeoutException) {
            outcome = "timeout";
            openAiError = new OpenAiError(504, "upstream_error", "upstream_timeout", null, "The model version '"
                    + version.id() + "' did not answer within " + version.timeoutMs() + " ms.");
        } else if (error instanceof ConnectException) {
            outcome = "unreachable";
            openAiError = new OpenAiError(502, "upstream_error", "upstream_unreachable", null, "The model version '"
                    + version.id() + "' at " + version.url().getHost() + ":" + version.port() + " is unreachable: "
                    + describe(error));
        } else {
            outcome = "failed";
            openAiError = new OpenAiError(502, "upstream_error", "upstream_failed", null, "The model version '"
                    + version.id() + "' failed: " + describe(error));
        }
        if (call.capture != null) call.capture.fail(outcome);
        call.request.response().putHeader("x-turnout-alias", call.alias()).putHeader("x-turnout-version", version.id())
                .putHeader("x-turnout-decision", call.decision.kind().header());
        openAiError.send(call.request.response());
        finish(call, openAiError.status(), outcome);
    }

    private void finish(ProxyCall call, int status, String outcome) {
        if (call.finished) return;
        call.finished = true;
        if (call.deadlineTimer >= 0) vertx.cancelTimer(call.deadlineTimer);
        long now = System.nanoTime();
        String alias = call.alias();
        String version = call.version();
        plane.metrics().request(alias, version, "primary", call.decision.kind().header(), outcome);
        plane.metrics().duration(alias, version, "primary", now - call.startNanos);
        if (call.firstByteNanos != 0) plane.metrics().timeToFirstByte(alias, version, "primary", call.firstByteNanos - call.startNanos);
        plane.accessLog().log(new AccessLog.Entry(System.currentTimeMillis(), call.request.method().name(), call.request.path(),
                alias, version, call.decision.kind().header(), status, outcome, call.attempts,
                call.sentNanos == 0 ? 0 : (call.sentNanos - call.startNanos) / 1e6, (now - call.startNanos) / 1e6,
                call.firstByteNanos == 0 ? null : (call.firstByteNanos - call.startNanos) / 1e6, call.bodyLength,
                call.bytesOut, call.capture != null, call.request.getHeader("traceparent")));
    }

    static boolean isEventStream(String contentType) {
        return contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("text/event-stream");
    }

    private static String serverTiming(ProxyCall call) {
        return "turnout;dur=" + millis(call.sentNanos - call.startNanos) + ", upstream;dur=" + millis(call.headersNanos - call.sentNanos);
    }

    private static String millis(long nanos) {
        long micros = nanos / 1000;
        long fraction = micros % 1000;
        return micros / 1000 + (fraction < 10 ? ".00" : fraction < 100 ? ".0" : ".") + fraction;
    }

    private static String describe(Throwable error) {
        return error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
    }

    /** An upstream answer that counts as a failure for breakers and retries. */
    static final class UpstreamStatusException extends RuntimeException {
        UpstreamStatusException(int status) {
            super("upstream answered " + status, null, false, false);
        }
    }
}
