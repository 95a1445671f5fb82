package dev.turnout.proxy;

import dev.turnout.upstream.Role;
import io.vertx.core.Vertx;

/**
 * Settles what a call owes: its breaker permit (a result or a release, exactly once per attempt)
 * and, when it ends, its meters and access-log line. Every end of a call goes through
 * {@link #finish}, which runs before the client is sent the last byte, so anyone reading the
 * meters after an answer sees it counted.
 */
final class CallLedger {

    private static final String PRIMARY = Role.PRIMARY.label();

    private final Vertx vertx;
    private final DataPlane plane;

    CallLedger(Vertx vertx, DataPlane plane) {
        this.vertx = vertx;
        this.plane = plane;
    }

    /** The upstream answered and its whole answer was relayed. */
    void succeeded(ProxyCall call) {
        if (!call.permitHeld) return;
        call.permitHeld = false;
        plane.breakers().succeeded(call.decision.version(), breakerNanos(call));
    }

    /** The upstream failed the current attempt: refused, silent, broken or a 5xx/429. */
    void failed(ProxyCall call, Throwable cause) {
        if (!call.permitHeld) return;
        call.permitHeld = false;
        plane.breakers().failed(call.decision.version(), breakerNanos(call), cause);
    }

    /**
     * The breaker is told how long the upstream took to start answering, not how long the answer
     * ran: a long generation is not a slow call.
     */
    private static long breakerNanos(ProxyCall call) {
        long until = call.headersNanos > call.attemptStartNanos ? call.headersNanos : System.nanoTime();
        return until - call.attemptStartNanos;
    }

    void finish(ProxyCall call, int status, Outcome outcome) {
        if (call.finished) return;
        call.finished = true;
        if (call.permitHeld) {
            // Ended with no verdict on the upstream (the client left): neither a failure nor a
            // success may move the breaker's window.
            call.permitHeld = false;
            plane.breakers().released(call.decision.version());
        }
        if (call.deadlineTimer >= 0) vertx.cancelTimer(call.deadlineTimer);
        long now = System.nanoTime();
        String alias = call.alias();
        String version = call.version();
        String decision = call.decision.kind().header();
        plane.metrics().request(alias, version, PRIMARY, decision, outcome.label());
        plane.metrics().duration(alias, version, PRIMARY, now - call.startNanos);
        if (call.firstByteNanos != 0) plane.metrics().timeToFirstByte(alias, version, PRIMARY, call.firstByteNanos - call.startNanos);
        plane.accessLog().log(new AccessLog.Entry(System.currentTimeMillis(), call.request.method().name(), call.request.path(),
                alias, version, decision, status, outcome.label(), call.attempts,
                call.sentNanos == 0 ? 0 : (call.sentNanos - call.startNanos) / 1e6, (now - call.startNanos) / 1e6,
                call.firstByteNanos == 0 ? null : (call.firstByteNanos - call.startNanos) / 1e6, call.bodyLength,
                call.bytesOut, call.capture != null, call.request.getHeader("traceparent"), call.upstreamError));
        if (outcome != Outcome.CLIENT_CLOSED && tracked(call)) evidence(call, outcome, now);
    }

    /** Whether a rollout records this call: a split decision (pins and fallbacks are not the rollout's traffic) on a tracked alias. */
    boolean tracked(ProxyCall call) {
        return call.decision.kind() == RouteDecision.Kind.SPLIT && plane.evidence().tracks(call.alias());
    }

    /**
     * A client that left says nothing about the version, so those calls never get here. A retried
     * call counts as an error of its version, even if a later attempt succeeded: with three attempts
     * per request, a 20 % error rate would otherwise look like less than 1 %.
     */
    private void evidence(ProxyCall call, Outcome outcome, long now) {
        boolean error = (outcome != Outcome.OK && outcome != Outcome.CLIENT_ERROR) || call.attempts > 1;
        long ttft = call.firstByteNanos != 0 ? call.firstByteNanos - call.startNanos : 0;
        long tokens = call.usageTail == null ? -1 : UsageScan.completionTokens(call.usageTail, call.usageTailWritten);
        plane.evidence().request(call.alias(), call.version(), error, now - call.startNanos, ttft, tokens);
    }
}
