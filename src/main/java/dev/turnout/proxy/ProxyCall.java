package dev.turnout.proxy;

import dev.turnout.replay.RecordingTee;
import dev.turnout.route.RouteTable;
import dev.turnout.shadow.Capture;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpServerRequest;

/**
 * One client request on its way through the gateway: the snapshot it was routed with, where it
 * is going now (a retry or failover changes {@link #decision}), the body to send, and what the
 * access log and meters need at the end. Touched only from the request's event loop.
 */
final class ProxyCall {

    final HttpServerRequest request;
    /** The client connection's guard: it watches the upstream's silence once the answer has started. */
    final ConnectionGuard connection;
    final RouteTable table;
    final InspectedRequest inspected;
    final byte[] body;
    final int bodyLength;
    final long startNanos;
    RouteDecision decision;
    /** The primary's answer teed for the shadows' differ; null when nothing is shadowed. */
    Capture capture;
    /** The primary's answer teed for recording; null when this request is not recorded. */
    RecordingTee recording;
    int attempts;
    int versionAttempts;
    long sentNanos;
    long headersNanos;
    long firstByteNanos;
    long bytesOut;
    boolean finished;
    HttpClientRequest upstream;
    long deadlineTimer = -1;
    /** When the current attempt started; the breaker is told the time from here to the headers. */
    long attemptStartNanos;
    /** A breaker permit is taken for the current attempt and owes the breaker a result or a release. */
    boolean permitHeld;
    // After the headers: what the silence watch reads, and where the relayed stream stands for an in-band error.
    long lastChunkNanos;
    boolean paused;
    /** Whether an error after the headers can be told in-band, as an event of the client's stream. */
    boolean inBandErrors;
    /** Where the relayed event stream stands; only for answers with {@link #inBandErrors}. */
    SseTail tail;
    /** What went wrong upstream, for the access log only: it may name upstream hosts. */
    String upstreamError;
    /** The last bytes relayed to the client, for the usage a rollout's evidence wants; only on tracked calls. */
    byte[] usageTail;
    /** How many bytes went through {@link #usageTail}. */
    long usageTailWritten;

    ProxyCall(HttpServerRequest request, ConnectionGuard connection, RouteTable table, InspectedRequest inspected, byte[] body, int bodyLength,
              long startNanos, RouteDecision decision) {
        this.request = request;
        this.connection = connection;
        this.table = table;
        this.inspected = inspected;
        this.body = body;
        this.bodyLength = bodyLength;
        this.startNanos = startNanos;
        this.decision = decision;
    }

    String alias() {
        return decision.alias().name();
    }

    String version() {
        return decision.version().id();
    }

    long elapsedMs() {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    /** Whether the answer is copied as it streams (shadowed or recorded): it is asked for uncompressed then. */
    boolean teed() {
        return capture != null || recording != null;
    }

    void teeHeaders(int status, String contentType) {
        if (capture != null) capture.headers(status, contentType);
        if (recording != null) recording.headers(decision.version().id(), status, contentType);
    }

    void teeAppend(Buffer chunk) {
        if (capture != null) capture.append(chunk);
        if (recording != null) recording.append(chunk);
    }

    void teeEnd() {
        if (capture != null) capture.end();
        if (recording != null) recording.end();
    }

    void teeFail(String errorClass) {
        if (capture != null) capture.fail(errorClass);
        if (recording != null) recording.fail(errorClass);
    }
}
