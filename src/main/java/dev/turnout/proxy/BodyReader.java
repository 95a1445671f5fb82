package dev.turnout.proxy;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpServerRequest;

/**
 * Collects a request body into one array, refusing it as soon as it passes the cap: a declared
 * {@code Content-Length} over the cap is answered before a byte is kept, a chunked body when it
 * crosses the cap. The rest of a refused body is read and dropped, so the client (still sending)
 * gets its 413 instead of a reset connection; a body past {@value #DRAIN_FACTOR} times the cap is
 * not worth draining, and its connection is closed.
 */
final class BodyReader {

    /** The body bytes; only the first {@code length} are valid. */
    record Body(byte[] bytes, int length) {}

    static final class TooLargeException extends RuntimeException {
        TooLargeException() {
            super(null, null, false, false);
        }
    }

    static final int DRAIN_FACTOR = 8;

    private BodyReader() {}

    static Future<Body> read(HttpServerRequest request, long maxBytes) {
        Promise<Body> promise = Promise.promise();
        long declared = declaredLength(request.getHeader("content-length"));
        if (declared > maxBytes) {
            refuse(request, declared, maxBytes);
            return Future.failedFuture(new TooLargeException());
        }
        // Trust a declared length only up to 64 KiB before bytes arrive: a client declaring 4 MiB and
        // sending nothing must not make the gateway allocate 4 MiB per connection.
        int initial = (int) Math.min(declared >= 0 ? declared : 4096, 64 * 1024);
        byte[][] holder = {new byte[Math.max(initial, 16)]};
        int[] length = {0};
        request.handler(chunk -> {
            if (promise.future().isComplete()) return;
            int needed = length[0] + chunk.length();
            if (needed > maxBytes) {
                promise.tryFail(new TooLargeException());
                refuse(request, -1, maxBytes);
                return;
            }
            if (needed > holder[0].length) {
                byte[] grown = new byte[(int) Math.min(maxBytes, Math.max(needed, holder[0].length * 2L))];
                System.arraycopy(holder[0], 0, grown, 0, length[0]);
                holder[0] = grown;
            }
            chunk.getBytes(0, chunk.length(), holder[0], length[0]);
            length[0] = needed;
        });
        request.exceptionHandler(promise::tryFail);
        request.endHandler(end -> promise.tryComplete(new Body(holder[0], length[0])));
        return promise.future();
    }

    static OpenAiError errorFor(Throwable error, long maxBytes) {
        if (error instanceof TooLargeException) {
            return new OpenAiError(413, "invalid_request_error", "request_too_large", null,
                    "The request body is larger than this gateway's limit of " + maxBytes + " bytes.");
        }
        return OpenAiError.badRequest(null, null, "The request body could not be read: " + error.getMessage());
    }

    private static void refuse(HttpServerRequest request, long declared, long maxBytes) {
        long drainLimit = maxBytes * DRAIN_FACTOR;
        if (declared > drainLimit) {
            request.response().putHeader("connection", "close");
            request.response().endHandler(done -> request.connection().close());
            return;
        }
        long[] drained = {0};
        request.handler(chunk -> {
            drained[0] += chunk.length();
            if (drained[0] > drainLimit) request.connection().close();
        });
    }

    private static long declaredLength(String header) {
        if (header == null) return -1;
        try {
            return Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
