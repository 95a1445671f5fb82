package dev.turnout.proxy;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;

/**
 * What one client connection may hold and for how long. Touched only from its event loop.
 * <ul>
 *   <li>Between exchanges (from the connection's opening, and from the end of each response) the
 *       next request line and headers must arrive within {@code headerTimeoutMs}, or the connection
 *       is closed: a client dribbling header bytes (slowloris) cannot hold it, and neither can a
 *       refused request whose unread body never comes. The head has not made a request yet, so
 *       there is no one to answer: the connection is closed without a response.</li>
 *   <li>The body-buffer reservation of the request in progress is released when its response ends
 *       or the connection closes, whichever comes first, so no path (success, error, timeout,
 *       disconnect) can keep it.</li>
 * </ul>
 * HTTP/1.1 handles one exchange per connection at a time (pipelined requests wait), so one
 * reservation per connection is enough. The header timer is not rescheduled per request (a timer
 * costs a scheduled task and a map entry): each wait records when it began, and a timer that fires
 * early for a later wait re-arms itself for the rest of it.
 */
final class ConnectionGuard {

    private final Vertx vertx;
    private final HttpConnection connection;
    private final long headerTimeoutMs;
    private long headerTimer = -1;
    /** When the connection began waiting for a request head; -1 while an exchange is in progress. */
    private long awaitingHeadSince = -1;
    private BodyBudget.Reservation reservation;

    ConnectionGuard(Vertx vertx, HttpConnection connection, long headerTimeoutMs) {
        this.vertx = vertx;
        this.connection = connection;
        this.headerTimeoutMs = headerTimeoutMs;
        awaitHead();
    }

    /** A request head arrived: its deadline is met; the next one starts when this response ends. */
    void requestArrived(HttpServerRequest request) {
        awaitingHeadSince = -1;
        request.response().bodyEndHandler(ended -> {
            releaseReservation();
            awaitHead();
        });
    }

    /** The reservation for the request in progress, released with its exchange. */
    BodyBudget.Reservation reserve(BodyBudget budget) {
        releaseReservation();
        reservation = budget.reservation();
        return reservation;
    }

    void closed() {
        cancelHeaderTimer();
        releaseReservation();
    }

    private void awaitHead() {
        awaitingHeadSince = System.nanoTime();
        if (headerTimer < 0) armHeaderTimer(headerTimeoutMs);
    }

    private void armHeaderTimer(long delayMs) {
        headerTimer = vertx.setTimer(delayMs, id -> {
            headerTimer = -1;
            if (awaitingHeadSince < 0) return; // an exchange is running; its end arms the timer again
            long waitedMs = (System.nanoTime() - awaitingHeadSince) / 1_000_000;
            if (waitedMs >= headerTimeoutMs) connection.close();
            else armHeaderTimer(headerTimeoutMs - waitedMs);
        });
    }

    private void cancelHeaderTimer() {
        if (headerTimer >= 0) vertx.cancelTimer(headerTimer);
        headerTimer = -1;
    }

    private void releaseReservation() {
        if (reservation != null) reservation.release();
        reservation = null;
    }
}
