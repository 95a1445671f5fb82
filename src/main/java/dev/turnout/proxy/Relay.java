package dev.turnout.proxy;

import dev.turnout.upstream.UpstreamFailure;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerResponse;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Relays an upstream's answer once its headers are in: status and headers, then each chunk as it
 * comes (backpressure both ways, teed to the shadow capture and the recording). Nothing is retried
 * from here on. An upstream that breaks, or stays silent for {@code timeoutMs} between chunks, ends
 * the answer: an event stream with an error event on an event boundary, any other body with a
 * reset; the upstream request is reset either way, so a stuck generation stops costing.
 */
final class Relay {

    private static final HopByHop.Names RESPONSE_HEADERS_SET_HERE = new HopByHop.Names("x-turnout-alias", "x-turnout-version",
            "x-turnout-revision", "x-turnout-decision", "server-timing");

    private final CallLedger ledger;
    private final Consumer<ProxyCall> onFault;

    /** @param onFault what to do with a call when the gateway itself fails while relaying it */
    Relay(CallLedger ledger, Consumer<ProxyCall> onFault) {
        this.ledger = ledger;
        this.onFault = onFault;
    }

    void start(ProxyCall call, HttpClientResponse answer) {
        HttpServerResponse response = call.request.response();
        int status = answer.statusCode();
        response.setStatusCode(status);
        MultiMap headers = response.headers();
        HopByHop.copy(answer.headers(), headers, RESPONSE_HEADERS_SET_HERE);
        if (!headers.contains("content-length")) response.setChunked(true);
        headers.set("x-turnout-alias", call.alias())
                .set("x-turnout-version", call.version())
                .set("x-turnout-revision", Long.toString(call.table.revision()))
                .set("x-turnout-decision", call.decision.kind().header())
                .set("server-timing", serverTiming(call));
        call.teeHeaders(status, answer.getHeader("content-type"));
        String encoding = answer.getHeader("content-encoding");
        // An error event appended to a compressed stream would be garbage to the client.
        call.inBandErrors = isEventStream(answer.getHeader("content-type"))
                && (encoding == null || encoding.equalsIgnoreCase("identity"));
        if (call.inBandErrors) call.tail = new SseTail();
        if (ledger.tracked(call)) call.usageTail = new byte[UsageScan.WINDOW];
        call.lastChunkNanos = System.nanoTime();
        answer.handler(Forwarder.guarded(call, onFault, chunk -> {
            call.lastChunkNanos = System.nanoTime();
            if (call.firstByteNanos == 0) call.firstByteNanos = call.lastChunkNanos;
            call.bytesOut += chunk.length();
            if (call.inBandErrors) call.tail.track(chunk);
            call.teeAppend(chunk);
            if (call.usageTail != null) call.usageTailWritten = UsageScan.append(call.usageTail, call.usageTailWritten, chunk);
            response.write(chunk);
            if (response.writeQueueFull()) {
                call.paused = true;
                answer.pause();
                response.drainHandler(drained -> {
                    call.paused = false;
                    call.lastChunkNanos = System.nanoTime();
                    answer.resume();
                });
            }
        }));
        answer.exceptionHandler(error -> {
            if (!call.finished) broken(call, error);
        });
        answer.endHandler(Forwarder.guarded(call, onFault, end -> {
            if (call.finished) return;
            ledger.succeeded(call);
            ledger.finish(call, status, Outcome.ofStatus(status));
            response.end();
            call.teeEnd();
        }));
        long silenceMs = call.decision.version().timeoutMs();
        watchSilence(call, silenceMs, silenceMs);
    }

    /**
     * Vert.x stops its own idle timer at the response headers, so silence in the body is watched
     * here, on the client connection's one timer ({@link ConnectionGuard#watch}), not with a timer
     * per answer or per chunk. Time the answer spends paused because the client reads slowly is the
     * client's, not the upstream's silence. The watch ends when the response does (the guard then
     * waits for the next head) or when the connection closes.
     */
    private void watchSilence(ProxyCall call, long timeoutMs, long delayMs) {
        call.connection.watch(delayMs, () -> {
            if (call.finished) return;
            long silentMs = call.paused ? 0 : TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - call.lastChunkNanos);
            if (silentMs >= timeoutMs) {
                broken(call, new TimeoutException("no bytes for " + silentMs + " ms after the response headers"));
            } else {
                watchSilence(call, timeoutMs, timeoutMs - silentMs);
            }
        });
    }

    /** The upstream broke off or went silent mid-answer: its fault, so its breaker hears of it. */
    private void broken(ProxyCall call, Throwable error) {
        ledger.failed(call, error);
        call.upstreamError = UpstreamFailure.detail(error);
        UpstreamFailure failure = UpstreamFailure.of(error);
        call.teeFail(failure.label());
        long timeoutMs = call.decision.version().timeoutMs();
        if (failure == UpstreamFailure.TIMEOUT) {
            endWithError(call, new OpenAiError(504, "upstream_error", "upstream_timeout", null, "The model version '"
                    + call.version() + "' sent nothing for " + timeoutMs + " ms in the middle of its answer."), Outcome.TIMEOUT);
        } else {
            endWithError(call, new OpenAiError(502, "upstream_error", "upstream_stream_interrupted", null,
                    "The model version '" + call.version() + "' stopped in the middle of its answer."), Outcome.INTERRUPTED);
        }
    }

    /**
     * Ends an answer whose headers went out. The client holds a status and part of a body: an event
     * stream is told in-band and closed cleanly (no {@code data: [DONE]} after it, so a client that
     * ignores error events still sees the stream end abnormally; OpenAI's SDKs raise the error);
     * any other body is cut, the only signal left. Counted first, then the upstream is reset.
     */
    void endWithError(ProxyCall call, OpenAiError error, Outcome outcome) {
        HttpServerResponse response = call.request.response();
        ledger.finish(call, response.getStatusCode(), outcome);
        if (call.inBandErrors && !response.closed()) {
            response.end(Buffer.buffer(call.tail.closingPrefix() + "data: " + error.toJson() + "\n\n"));
        } else {
            response.reset();
        }
        call.upstream.reset();
    }

    private static boolean isEventStream(String contentType) {
        return contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("text/event-stream");
    }

    /** Written into one builder: this runs once per answer. */
    private static String serverTiming(ProxyCall call) {
        StringBuilder timing = new StringBuilder(48).append("turnout;dur=");
        millis(timing, call.sentNanos - call.startNanos).append(", upstream;dur=");
        return millis(timing, call.headersNanos - call.sentNanos).toString();
    }

    private static StringBuilder millis(StringBuilder out, long nanos) {
        long micros = nanos / 1000;
        long fraction = micros % 1000;
        return out.append(micros / 1000).append(fraction < 10 ? ".00" : fraction < 100 ? ".0" : ".").append(fraction);
    }
}
