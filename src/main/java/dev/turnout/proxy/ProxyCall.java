package dev.turnout.proxy;

import dev.turnout.route.RouteTable;
import dev.turnout.shadow.Capture;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpServerRequest;

/**
 * One client request on its way through the gateway: the snapshot it was routed with, where it
 * is going now (a retry or failover changes {@link #decision}), the body to send, and what the
 * access log and meters need at the end. Touched only from the request's event loop.
 */
final class ProxyCall {

    final HttpServerRequest request;
    final RouteTable table;
    final InspectedRequest inspected;
    final byte[] body;
    final int bodyLength;
    final long startNanos;
    RouteDecision decision;
    Capture capture;
    int attempts;
    int versionAttempts;
    long sentNanos;
    long headersNanos;
    long firstByteNanos;
    long bytesOut;
    boolean finished;
    HttpClientRequest upstream;
    long deadlineTimer = -1;

    ProxyCall(HttpServerRequest request, RouteTable table, InspectedRequest inspected, byte[] body, int bodyLength,
              long startNanos, RouteDecision decision) {
        this.request = request;
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
}
