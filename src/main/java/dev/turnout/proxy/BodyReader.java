package dev.turnout.proxy;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;

/**
 * Collects a request body into one array, within three limits: its size ({@code maxBodyBytes}),
 * the gateway-wide buffer budget ({@link BodyBudget}) and time ({@code bodyTimeoutMs} from the
 * end of the headers). The array grows with the bytes received, never beyond the declared
 * {@code Content-Length}, so the reservation taken for a declared length always covers it; a
 * chunked body reserves each growth before it happens.
 * <p>
 * A body refused for its size or the budget is read on and dropped, so the client (still
 * sending) gets its answer instead of a reset connection; a body past {@value #DRAIN_FACTOR}
 * times the cap is not worth draining, and its connection is closed. A body that stalls gets 408
 * and its connection is closed.
 */
final class BodyReader {

    /** The body bytes; only the first {@code length} are valid. */
    record Body(byte[] bytes, int length) {}

    /** Why a body was not read, with the answer for the client. */
    static final class RefusedBodyException extends RuntimeException {
        private final OpenAiError error;
        private final boolean closeConnection;
        private final int retryAfterSeconds;

        RefusedBodyException(OpenAiError error, boolean closeConnection) {
            this(error, closeConnection, 0);
        }

        RefusedBodyException(OpenAiError error, boolean closeConnection, int retryAfterSeconds) {
            super(error.message(), null, false, false);
            this.error = error;
            this.closeConnection = closeConnection;
            this.retryAfterSeconds = retryAfterSeconds;
        }

        OpenAiError error() {
            return error;
        }

        boolean closeConnection() {
            return closeConnection;
        }

        /** For a {@code Retry-After} header; 0 when there is none to give. */
        int retryAfterSeconds() {
            return retryAfterSeconds;
        }
    }

    static final int DRAIN_FACTOR = 8;
    private static final byte[] NO_BYTES = new byte[0];
    /** What a client refused for want of buffer room is told to wait: bodies in flight finish in about that. */
    static final int OVERLOADED_RETRY_AFTER_SECONDS = 1;
    /** Buffers start at this size (or the body's, when smaller) and double. */
    private static final int INITIAL_CAPACITY = 16 * 1024;

    private final Vertx vertx;
    private final long maxBytes;
    private final long timeoutMs;
    private final FaultInjector faults;

    BodyReader(Vertx vertx, long maxBytes, long timeoutMs, FaultInjector faults) {
        this.vertx = vertx;
        this.maxBytes = maxBytes;
        this.timeoutMs = timeoutMs;
        this.faults = faults;
    }

    long maxBytes() {
        return maxBytes;
    }

    /**
     * Reads the body; {@code declared} is its {@code Content-Length} (-1 when chunked), already
     * checked against the cap and already covered by {@code reservation}. Its time limit is
     * watched by the connection's {@code guard}, which holds one deadline per exchange.
     */
    Future<Body> read(HttpServerRequest request, long declared, BodyBudget.Reservation reservation, ConnectionGuard guard) {
        Read read = new Read(request, declared, reservation);
        guard.watch(timeoutMs, () -> read.promise.tryFail(new RefusedBodyException(new OpenAiError(408,
                "invalid_request_error", "request_timeout", null, "The request body did not arrive within "
                + timeoutMs + " ms of its headers; the connection is closed."), true)));
        read.promise.future().onComplete(done -> {
            guard.unwatch();
            // A refused body's bytes go at once: its reservation goes with the answer, not when the drain ends.
            if (done.failed()) read.bytes = NO_BYTES;
        });
        request.handler(read);
        request.exceptionHandler(error -> read.promise.tryFail(new RefusedBodyException(OpenAiError.badRequest(null, null,
                "The request body could not be read: " + error.getMessage()), true)));
        request.endHandler(end -> read.promise.tryComplete(new Body(read.bytes, read.length)));
        return read.promise.future();
    }

    /** One body being read: the bytes so far, and the chunk handler that adds to them. */
    private final class Read implements Handler<Buffer> {
        final Promise<Body> promise = Promise.promise();
        private final HttpServerRequest request;
        private final long declared;
        private final BodyBudget.Reservation reservation;
        byte[] bytes = NO_BYTES;
        int length;

        Read(HttpServerRequest request, long declared, BodyBudget.Reservation reservation) {
            this.request = request;
            this.declared = declared;
            this.reservation = reservation;
        }

        @Override
        public void handle(Buffer chunk) {
            if (promise.future().isComplete()) return;
            try {
                faults.at(FaultInjector.Stage.BODY_READ);
                int needed = length + chunk.length();
                if (needed > maxBytes) throw tooLarge();
                if (needed > bytes.length) bytes = grow(bytes, length, needed, declared, reservation);
                chunk.getBytes(0, chunk.length(), bytes, length);
                length = needed;
            } catch (RefusedBodyException refused) {
                promise.tryFail(refused);
                drain(request);
            } catch (RuntimeException fault) {
                promise.tryFail(fault);
            }
        }
    }

    private byte[] grow(byte[] buffer, int length, int needed, long declared, BodyBudget.Reservation reservation) {
        long ceiling = declared >= needed ? declared : maxBytes;
        int capacity = (int) Math.min(ceiling, Math.max(needed, Math.max(buffer.length * 2L, INITIAL_CAPACITY)));
        if (!reservation.cover(capacity)) throw overloaded();
        byte[] grown = new byte[capacity];
        System.arraycopy(buffer, 0, grown, 0, length);
        return grown;
    }

    RefusedBodyException tooLarge() {
        return new RefusedBodyException(new OpenAiError(413, "invalid_request_error", "request_too_large", null,
                "The request body is larger than this gateway's limit of " + maxBytes + " bytes."), false);
    }

    static RefusedBodyException overloaded() {
        return new RefusedBodyException(new OpenAiError(503, "server_error", "overloaded", null, "The gateway holds "
                + "as many request bodies as its memory allows; retry after the time in Retry-After."), false,
                OVERLOADED_RETRY_AFTER_SECONDS);
    }

    /** Reads and drops what is left of a refused body; a body not worth draining closes its connection. */
    void drain(HttpServerRequest request) {
        long drainLimit = maxBytes * DRAIN_FACTOR;
        long[] drained = {0};
        request.handler(chunk -> {
            drained[0] += chunk.length();
            if (drained[0] > drainLimit) request.connection().close();
        });
    }

    /** True when what is left of an unread body of this length is better cut than drained. */
    boolean notWorthDraining(long declared) {
        return declared > maxBytes * DRAIN_FACTOR;
    }

    /** The declared {@code Content-Length}, or -1 when there is none (chunked) or it is unreadable. */
    static long declaredLength(HttpServerRequest request) {
        String header = request.getHeader("content-length");
        if (header == null) return -1;
        try {
            return Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static boolean expectsContinue(HttpServerRequest request) {
        return "100-continue".equalsIgnoreCase(request.getHeader("expect"));
    }
}
