package dev.turnout.proxy;

import dev.turnout.resilience.RetryPolicy;
import dev.turnout.route.ModelVersion;
import dev.turnout.route.RouteTable;
import dev.turnout.upstream.UpstreamFailure;
import dev.turnout.upstream.UpstreamPools;
import dev.turnout.upstream.UpstreamRequests;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerResponse;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Sends a call upstream, then hands the answer to the {@link Relay}. Until the first byte goes to
 * the client a failed attempt (refused connection, time-to-first-byte timeout, 502/503/429) may be
 * retried with backoff and then failed over to the alias's fallback; after that nothing is retried.
 * <pre>
 *   attempt ──headers──▶ relay: chunks as they come, silence and breaks ended in-band
 *      │fail
 *      ├─ budget left and breaker closed ─▶ wait (jittered) ─▶ attempt again
 *      ├─ fallback available ─────────────▶ attempt on the fallback
 *      └─ otherwise ──────────────────────▶ 502 / 504 in OpenAI's error shape
 * </pre>
 * A client that hangs up, at any stage, ends the call as {@code client_closed}: the upstream
 * request is reset and the breaker permit released, neither failure nor success.
 */
final class Forwarder {

    private static final Logger LOG = Logger.getLogger(Forwarder.class.getName());

    private final Vertx vertx;
    private final DataPlane plane;
    private final UpstreamPools pools;
    private final CallLedger ledger;
    private final Relay relay;

    Forwarder(Vertx vertx, DataPlane plane, UpstreamPools pools) {
        this.vertx = vertx;
        this.plane = plane;
        this.pools = pools;
        this.ledger = new CallLedger(vertx, plane);
        this.relay = new Relay(ledger, this::internalError);
    }

    /** Starts a call whose first version's breaker permit the caller took. */
    void start(ProxyCall call) {
        call.permitHeld = true;
        HttpServerResponse response = call.request.response();
        // One handler for the whole call: the client may leave while we connect, wait for the
        // headers, back off before a retry, or relay.
        response.closeHandler(closed -> clientClosed(call));
        if (response.closed()) {
            clientClosed(call);
            return;
        }
        long total = call.decision.version().totalTimeoutMs();
        if (total > 0) call.deadlineTimer = vertx.setTimer(total, id -> totalTimeout(call, total));
        attempt(call);
    }

    private void clientClosed(ProxyCall call) {
        if (call.finished) return;
        call.teeFail(UpstreamFailure.RESET.label());
        ledger.finish(call, 499, Outcome.CLIENT_CLOSED);
        // Finished first, so what the reset fails upstream is not held against the version.
        if (call.upstream != null) call.upstream.reset();
    }

    /** The whole exchange took longer than the version allows: cut it, whatever stage it is in. */
    private void totalTimeout(ProxyCall call, long totalMs) {
        call.deadlineTimer = -1;
        if (call.finished) return;
        TimeoutException timeout = new TimeoutException("the exchange passed its total limit of " + totalMs + " ms");
        ledger.failed(call, timeout);
        call.upstreamError = UpstreamFailure.detail(timeout);
        call.teeFail(UpstreamFailure.TIMEOUT.label());
        HttpServerResponse response = call.request.response();
        OpenAiError error = new OpenAiError(504, "upstream_error", "upstream_timeout", null, "The model version '"
                + call.version() + "' did not finish within its total limit of " + totalMs + " ms.");
        if (response.headWritten()) {
            relay.endWithError(call, error, Outcome.TIMEOUT);
            return;
        }
        ledger.finish(call, 504, Outcome.TIMEOUT);
        error.send(response);
        if (call.upstream != null) call.upstream.reset();
    }

    /** The alias's fallback for a failing decision, if it has one that may take calls now (a permit is taken). */
    RouteDecision fallbackFor(RouteTable table, RouteDecision failing) {
        if (!mayFallBack(failing, failing.version().id())) return null;
        ModelVersion version = table.version(failing.alias().fallback());
        if (version == null || !plane.breakers().tryAcquire(version)) return null;
        return new RouteDecision(failing.alias(), version, RouteDecision.Kind.FALLBACK);
    }

    private void attempt(ProxyCall call) {
        ModelVersion version = call.decision.version();
        call.attempts++;
        call.versionAttempts++;
        call.attemptStartNanos = System.nanoTime();
        pools.primary(call.table, version)
                .request(UpstreamRequests.options(version, call.request.uri().substring("/v1".length()), version.timeoutMs()))
                .onComplete(guarded(call, this::internalError, created -> {
                    if (call.finished) {
                        if (created.succeeded()) created.result().reset();
                        return;
                    }
                    if (created.failed()) {
                        attemptFailed(call, version, created.cause());
                        return;
                    }
                    send(call, version, created.result());
                }));
    }

    private void send(ProxyCall call, ModelVersion version, HttpClientRequest upstream) {
        call.upstream = upstream;
        plane.faults().at(FaultInjector.Stage.FORWARD_START);
        MultiMap headers = upstream.headers();
        HopByHop.copy(call.request.headers(), headers, ProxyHandler.REQUEST_HEADERS_SET_HERE);
        String authorization = UpstreamRequests.authorization(version, call.request.getHeader("authorization"), plane.environment());
        if (authorization != null) headers.set("authorization", authorization);
        // A shadowed or recorded answer is teed and kept as text: ask for it uncompressed.
        if (call.teed()) headers.set("accept-encoding", "identity");
        else if (call.request.getHeader("accept-encoding") != null) headers.set("accept-encoding", call.request.getHeader("accept-encoding"));
        call.sentNanos = System.nanoTime();
        upstream.send(ProxyHandler.spliceModel(call, version.model())).onComplete(guarded(call, this::internalError, answered -> {
            if (answered.failed()) {
                attemptFailed(call, version, answered.cause());
                return;
            }
            if (call.finished) {
                upstream.reset();
                return;
            }
            HttpClientResponse answer = answered.result();
            call.headersNanos = System.nanoTime();
            int status = answer.statusCode();
            // A failing status is judged now; any other answer only once its body has come through.
            if (status >= 500 || status == 429) ledger.failed(call, new UpstreamStatusException(status));
            if (RetryPolicy.retryableStatus(status) && nextStep(call, version) != null) {
                upstream.reset(); // discard this answer: the client never sees it
                retryOrFailOver(call, version, new UpstreamStatusException(status));
            } else {
                plane.faults().at(FaultInjector.Stage.RESPONSE_RELAY);
                relay.start(call, answer);
            }
        }));
    }

    /**
     * A fault in the gateway while it holds the call: 500 (or a reset once the answer has started),
     * the breaker permit handed back without a verdict, the upstream request reset, and the
     * connection closed, since its state can no longer be trusted.
     */
    void internalError(ProxyCall call) {
        if (call.finished) return;
        call.teeFail("error");
        ledger.finish(call, 500, Outcome.INTERNAL_ERROR);
        OpenAiError.internal().sendAndClose(call.request);
        // Finished first, so the upstream's reset is not reported as an interrupted stream.
        if (call.upstream != null) call.upstream.reset();
    }

    /** {@code handler}, with anything it throws sent to {@code onFault} instead of lost on the event loop. */
    static <T> Handler<T> guarded(ProxyCall call, Consumer<ProxyCall> onFault, Handler<T> handler) {
        return event -> {
            try {
                handler.handle(event);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "request failed while forwarded", e);
                onFault.accept(call);
            }
        };
    }

    private void attemptFailed(ProxyCall call, ModelVersion version, Throwable error) {
        if (call.finished) return; // the client left or the deadline passed: settled there
        ledger.failed(call, error);
        call.upstreamError = UpstreamFailure.detail(error);
        if (nextStep(call, version) != null) retryOrFailOver(call, version, error);
        else failBeforeResponse(call, version, error);
    }

    private enum Step { RETRY, FALLBACK }

    /** What may follow a failed attempt, or null when nothing may. */
    private Step nextStep(ProxyCall call, ModelVersion version) {
        boolean nothingSentYet = !call.request.response().headWritten();
        if (nothingSentYet && plane.retry().allows(call.versionAttempts, call.elapsedMs())) return Step.RETRY;
        return mayFallBack(call.decision, version.id()) ? Step.FALLBACK : null;
    }

    /** The alias names a fallback other than the failing version, and this is not already the fallback's call. */
    private static boolean mayFallBack(RouteDecision decision, String failingVersion) {
        String fallback = decision.alias().fallback();
        return fallback != null && !fallback.equals(failingVersion) && decision.kind() != RouteDecision.Kind.FALLBACK;
    }

    private void retryOrFailOver(ProxyCall call, ModelVersion version, Throwable error) {
        if (nextStep(call, version) == Step.RETRY) {
            vertx.setTimer(Math.max(1, plane.retry().delayMs(call.versionAttempts)), id -> {
                if (call.finished) return;
                if (plane.breakers().tryAcquire(version)) {
                    call.permitHeld = true;
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
        call.permitHeld = true;
        call.versionAttempts = 0;
        attempt(call);
    }

    /**
     * Nothing was sent yet: answer with an error of our own. Its message names the version, never
     * the upstream's host, port or URL (those go to the access log).
     */
    private void failBeforeResponse(ProxyCall call, ModelVersion version, Throwable error) {
        OpenAiError openAiError;
        Outcome outcome;
        UpstreamFailure failure = UpstreamFailure.of(error);
        if (failure == UpstreamFailure.TIMEOUT) {
            outcome = Outcome.TIMEOUT;
            openAiError = new OpenAiError(504, "upstream_error", "upstream_timeout", null, "The model version '"
                    + version.id() + "' did not answer within " + version.timeoutMs() + " ms.");
        } else if (failure == UpstreamFailure.CONNECT) {
            outcome = Outcome.UNREACHABLE;
            openAiError = new OpenAiError(502, "upstream_error", "upstream_unreachable", null, "The model version '"
                    + version.id() + "' is unreachable.");
        } else {
            outcome = Outcome.FAILED;
            openAiError = new OpenAiError(502, "upstream_error", "upstream_failed", null, "The model version '"
                    + version.id() + "' failed" + (error instanceof UpstreamStatusException ? ": " + error.getMessage()
                    : " before answering") + ".");
        }
        call.teeFail(outcome.label());
        call.request.response().putHeader("x-turnout-alias", call.alias()).putHeader("x-turnout-version", version.id())
                .putHeader("x-turnout-decision", call.decision.kind().header());
        ledger.finish(call, openAiError.status(), outcome);
        openAiError.send(call.request.response());
    }

    /** An upstream answer that counts as a failure for breakers and retries. */
    static final class UpstreamStatusException extends RuntimeException {
        UpstreamStatusException(int status) {
            super("upstream answered " + status, null, false, false);
        }
    }
}
