package dev.turnout.shadow;

import dev.turnout.diff.AssembledResponse;
import dev.turnout.diff.Exchange;
import dev.turnout.diff.ResponseAssembler;
import io.vertx.core.buffer.Buffer;
import java.util.Arrays;

/**
 * A copy of one response, capped, with its timing: the primary's as it streams to the client
 * (a tee, never delaying it), or a shadow's as it is read. Bytes past the cap are not kept, and the
 * capture says it was truncated. Used from one event loop at a time; {@link #finish} publishes it.
 */
public final class Capture {

    private final long startNanos;
    private final int capBytes;
    private byte[] bytes = new byte[1024];
    private int length;
    private boolean truncated;
    private int status;
    private boolean streamed;
    private long firstByteNanos;
    private long endNanos;
    private String failure;
    private boolean done;
    private Runnable onDone;

    public Capture(long startNanos, int capBytes) {
        this.startNanos = startNanos;
        this.capBytes = capBytes;
    }

    public void headers(int statusCode, String contentType) {
        status = statusCode;
        streamed = contentType != null && contentType.regionMatches(true, 0, "text/event-stream", 0, 17);
    }

    public void append(Buffer chunk) {
        if (firstByteNanos == 0) firstByteNanos = System.nanoTime();
        if (truncated) return;
        int room = capBytes - length;
        int take = Math.min(room, chunk.length());
        if (take < chunk.length()) truncated = true;
        if (length + take > bytes.length) bytes = Arrays.copyOf(bytes, Math.min(capBytes, Math.max(length + take, bytes.length * 2)));
        chunk.getBytes(0, take, bytes, length);
        length += take;
    }

    /** The response ended normally. */
    public void end() {
        finish(null);
    }

    /** The exchange failed: {@code timeout}, {@code connect}, {@code reset}, ... Only the first end counts. */
    public void fail(String errorClass) {
        finish(errorClass);
    }

    private void finish(String errorClass) {
        if (done) return;
        done = true;
        endNanos = System.nanoTime();
        failure = errorClass;
        if (onDone != null) onDone.run();
    }

    /** Runs {@code action} once the capture has ended (at once if it already has). */
    void whenDone(Runnable action) {
        if (done) action.run();
        else onDone = onDone == null ? action : chain(onDone, action);
    }

    private static Runnable chain(Runnable first, Runnable second) {
        return () -> {
            first.run();
            second.run();
        };
    }

    public boolean done() {
        return done;
    }

    public boolean failed() {
        return failure != null;
    }

    /** Assembles the captured answer; heavy for long answers, so call it off the event loop. */
    public Exchange toExchange() {
        double totalMs = (endNanos - startNanos) / 1e6;
        Double ttftMs = firstByteNanos == 0 ? null : (firstByteNanos - startNanos) / 1e6;
        AssembledResponse response = failure != null ? AssembledResponse.failure(status, failure)
                : ResponseAssembler.fromBody(status, Arrays.copyOf(bytes, length), streamed, truncated);
        return new Exchange(response, totalMs, ttftMs);
    }
}
