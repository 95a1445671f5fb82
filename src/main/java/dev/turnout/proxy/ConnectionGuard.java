package dev.turnout.proxy;

import io.vertx.core.Handler;
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
 * reservation per connection is enough, and so is one deadline: the next head, the body, or the
 * upstream's silence ({@link #watch}). The deadlines share one timer, not rescheduled per request
 * (a timer costs a scheduled task, a map entry and a cancellation): each watch records its
 * deadline, a timer that fires early re-arms itself for the rest, and only a deadline earlier than
 * the armed timer re-arms it at once.
 */
final class ConnectionGuard implements Handler<Long> {

    private static final long NONE = -1;

    private final Vertx vertx;
    private final HttpConnection connection;
    private final long headerTimeoutMs;
    private final Runnable closeConnection;
    /** Ends each exchange; one handler for the connection's lifetime rather than one per request. */
    private final Handler<Void> exchangeEnded = ended -> {
        releaseReservation();
        awaitHead();
    };
    private long timer = NONE;
    /** When the armed timer fires (System.nanoTime); meaningful while {@link #timer} is set. */
    private long timerDueNanos;
    private long deadlineNanos;
    /** What to do at {@link #deadlineNanos}; null while nothing is watched. */
    private Runnable onDeadline;
    private BodyBudget.Reservation reservation;

    ConnectionGuard(Vertx vertx, HttpConnection connection, long headerTimeoutMs) {
        this.vertx = vertx;
        this.connection = connection;
        this.headerTimeoutMs = headerTimeoutMs;
        this.closeConnection = connection::close;
        awaitHead();
    }

    /** A request head arrived: its deadline is met; the next one starts when this response ends. */
    void requestArrived(HttpServerRequest request) {
        unwatch();
        request.response().bodyEndHandler(exchangeEnded);
    }

    /** The reservation for the request in progress, released with its exchange. */
    BodyBudget.Reservation reserve(BodyBudget budget) {
        releaseReservation();
        reservation = budget.reservation();
        return reservation;
    }

    /**
     * Runs {@code action} once {@code delayMs} pass, unless another watch or {@link #unwatch}
     * replaces it first, or the connection closes.
     */
    void watch(long delayMs, Runnable action) {
        long now = System.nanoTime();
        deadlineNanos = now + delayMs * 1_000_000;
        onDeadline = action;
        if (timer == NONE) {
            arm(now, delayMs);
        } else if (timerDueNanos > deadlineNanos) {
            vertx.cancelTimer(timer);
            arm(now, delayMs);
        }
    }

    /** Nothing is watched any more; the armed timer, if any, finds nothing to do and stops. */
    void unwatch() {
        onDeadline = null;
    }

    void closed() {
        unwatch();
        if (timer != NONE) vertx.cancelTimer(timer);
        timer = NONE;
        releaseReservation();
    }

    private void awaitHead() {
        watch(headerTimeoutMs, closeConnection);
    }

    private void arm(long now, long delayMs) {
        timerDueNanos = now + delayMs * 1_000_000;
        timer = vertx.setTimer(Math.max(1, delayMs), this); // the guard is its timer's handler: no lambda per arm
    }

    /** The armed timer fired. */
    @Override
    public void handle(Long timerId) {
        timer = NONE;
        if (onDeadline == null) return; // an exchange is running unwatched; its next watch arms the timer
        long now = System.nanoTime();
        if (now >= deadlineNanos) {
            Runnable action = onDeadline;
            onDeadline = null;
            action.run();
        } else {
            arm(now, (deadlineNanos - now + 999_999) / 1_000_000);
        }
    }

    private void releaseReservation() {
        if (reservation != null) reservation.release();
        reservation = null;
    }
}
