package dev.turnout.shadow;

import dev.turnout.diff.AssembledResponse;
import dev.turnout.diff.Exchange;
import dev.turnout.diff.ResponseAssembler;
import io.vertx.core.buffer.Buffer;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A copy of one response, capped, with its timing: the primary's as it streams to the client
 * (a tee, never delaying it), or a shadow's as it is read. Filled from one event loop; {@link #finish}
 * publishes it, and the differ thread reads it only after that.
 *
 * <p>Memory is bounded in bytes: the buffer is reserved from the {@link ShadowBudget} as it grows, so
 * a capture in progress already counts. An answer past {@code capBytes}, or a buffer the budget cannot
 * grow, is shed at once: its bytes are given back while the answer still streams, and the pair says
 * why ({@link #shedReason}). Each pair holding the capture {@link #retain}s it; the last
 * {@link #releaseBytes} gives the reservation back.
 */
public final class Capture {

    static final int INITIAL_BYTES = 1024;
    private static final byte[] NONE = new byte[0];

    private final long startNanos;
    private final int capBytes;
    private final ShadowBudget budget;
    private final AtomicInteger holders = new AtomicInteger();
    private byte[] bytes;
    private long reserved;
    private int length;
    private String shedReason;
    private int status;
    private boolean streamed;
    private long firstByteNanos;
    private long endNanos;
    private String failure;
    private boolean done;
    private Runnable onDone;

    private Capture(long startNanos, int capBytes, ShadowBudget budget, int initial) {
        this.startNanos = startNanos;
        this.capBytes = capBytes;
        this.budget = budget;
        this.bytes = new byte[initial];
        this.reserved = initial;
    }

    /** A capture with its first buffer reserved, or null when the budget has no room for it. */
    static Capture open(long startNanos, int capBytes, ShadowBudget budget) {
        int initial = Math.min(INITIAL_BYTES, capBytes);
        return budget.tryReserve(initial) ? new Capture(startNanos, capBytes, budget, initial) : null;
    }

    /**
     * A capture of an answer that already ended elsewhere (a recorded one), its bytes reserved from
     * the budget, or null when the budget has no room for them.
     */
    static Capture ended(int status, boolean streamed, byte[] answer, double totalMs, Double ttftMs, ShadowBudget budget) {
        int size = Math.max(1, answer.length);
        if (!budget.tryReserve(size)) return null;
        Capture capture = new Capture(0, size, budget, 0);
        capture.reserved = size;
        capture.bytes = answer;
        capture.length = answer.length;
        capture.status = status;
        capture.streamed = streamed;
        capture.firstByteNanos = ttftMs == null ? 0 : Math.max(1, Math.round(ttftMs * 1e6));
        capture.endNanos = Math.round(totalMs * 1e6);
        capture.done = true;
        return capture;
    }

    public void headers(int statusCode, String contentType) {
        status = statusCode;
        streamed = contentType != null && contentType.regionMatches(true, 0, "text/event-stream", 0, 17);
    }

    public void append(Buffer chunk) {
        if (firstByteNanos == 0) firstByteNanos = System.nanoTime();
        if (shedReason != null) return;
        int take = chunk.length();
        if (length + take > capBytes) {
            shed("capture_too_large");
            return;
        }
        if (length + take > bytes.length) {
            int grown = Math.min(capBytes, Math.max(length + take, bytes.length * 2));
            if (!budget.tryReserve(grown - bytes.length)) {
                shed("differ_backlog");
                return;
            }
            reserved += grown - bytes.length;
            bytes = Arrays.copyOf(bytes, grown);
        }
        chunk.getBytes(0, take, bytes, length);
        length += take;
    }

    /** Stops keeping bytes and gives them back now: the pair cannot be compared any more. */
    private void shed(String reason) {
        shedReason = reason;
        releaseBytesNow();
    }

    /** Why this capture cannot be compared ({@code capture_too_large}, {@code differ_backlog}), or null. */
    String shedReason() {
        return shedReason;
    }

    /** One more pair holds this capture until it calls {@link #releaseBytes}. */
    void retain() {
        holders.incrementAndGet();
    }

    /** The pair is compared or dropped; the last one gives the buffer back to the budget. */
    void releaseBytes() {
        if (holders.decrementAndGet() == 0) releaseBytesNow();
    }

    private void releaseBytesNow() {
        budget.release(reserved);
        reserved = 0;
        bytes = NONE;
        length = 0;
    }

    /** Gives the reservation back for a capture that no pair came to hold. */
    void discard() {
        if (holders.get() == 0) releaseBytesNow();
    }

    /** What this capture holds of the budget now. */
    long reservedBytes() {
        return reserved;
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

    /** Runs {@code action} once the capture has ended (at once if it already has), on the thread that ends it. */
    public void whenDone(Runnable action) {
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
                : ResponseAssembler.fromBody(status, bytes, length, streamed, false);
        return new Exchange(response, totalMs, ttftMs);
    }
}
