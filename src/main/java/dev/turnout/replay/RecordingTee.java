package dev.turnout.replay;

import io.vertx.core.buffer.Buffer;
import java.util.Arrays;

/**
 * A copy of one sampled request and the primary's answer as it streams to the client, never
 * delaying it. Filled from the request's event loop; handed to the recorder's writer when the
 * answer ends. Its bytes are reserved from the recorder's budget ({@code recording.maxPendingBytes})
 * as they grow, and stay so until the exchange is written: when the budget has no room the copy
 * is abandoned at once and counted as {@code backlog}. An answer longer than
 * {@code recording.maxAnswerBytes} keeps its first bytes and is marked truncated.
 */
public final class RecordingTee {

    static final int INITIAL_BYTES = 1024;

    private final TrafficRecorder recorder;
    final String alias;
    private String version;
    final String path;
    final String requestId;
    final byte[] request;
    final long startNanos;
    private final int maxAnswerBytes;
    private byte[] answer;
    private int length;
    private long reserved;
    private boolean truncated;
    private boolean abandoned;
    private boolean ended;
    private int status;
    private boolean streamed;
    private long firstByteNanos;
    private long endNanos;

    RecordingTee(TrafficRecorder recorder, String alias, String version, String path, String requestId, byte[] request,
                 long startNanos, int maxAnswerBytes, int initialAnswerBytes, long reserved) {
        this.recorder = recorder;
        this.alias = alias;
        this.version = version; // until the answer's headers say which version it is
        this.path = path;
        this.requestId = requestId;
        this.request = request;
        this.startNanos = startNanos;
        this.maxAnswerBytes = maxAnswerBytes;
        this.answer = new byte[initialAnswerBytes];
        this.reserved = reserved;
    }

    /** @param answeredBy the version whose answer this is (a retry or fallback may not be the one first chosen) */
    public void headers(String answeredBy, int statusCode, String contentType) {
        version = answeredBy;
        status = statusCode;
        streamed = contentType != null && contentType.regionMatches(true, 0, "text/event-stream", 0, 17);
    }

    public void append(Buffer chunk) {
        if (firstByteNanos == 0) firstByteNanos = System.nanoTime();
        if (abandoned || ended || truncated) return;
        int take = chunk.length();
        if (length + take > maxAnswerBytes) {
            take = maxAnswerBytes - length;
            truncated = true;
        }
        if (length + take > answer.length) {
            int grown = Math.min(maxAnswerBytes, Math.max(length + take, answer.length * 2));
            if (!recorder.reserve(grown - answer.length)) {
                abandon();
                return;
            }
            reserved += grown - answer.length;
            answer = Arrays.copyOf(answer, grown);
        }
        chunk.getBytes(0, take, answer, length);
        length += take;
    }

    /** The answer ended normally: the exchange goes to the writer. */
    public void end() {
        if (abandoned || ended) return;
        ended = true;
        endNanos = System.nanoTime();
        recorder.enqueue(this);
    }

    /** The call failed: nothing is recorded, and the bytes go back now. */
    public void fail(String errorClass) {
        if (abandoned || ended) return;
        ended = true;
        recorder.release(reserved);
        reserved = 0;
        answer = null;
    }

    private void abandon() {
        abandoned = true;
        recorder.release(reserved);
        reserved = 0;
        answer = null;
        recorder.dropped(TrafficRecorder.Drop.BACKLOG);
    }

    String version() {
        return version;
    }

    long reserved() {
        return reserved;
    }

    byte[] answer() {
        return answer;
    }

    int length() {
        return length;
    }

    boolean truncated() {
        return truncated;
    }

    int status() {
        return status;
    }

    boolean streamed() {
        return streamed;
    }

    double durationMs() {
        return (endNanos - startNanos) / 1e6;
    }

    Double ttftMs() {
        return firstByteNanos == 0 ? null : (firstByteNanos - startNanos) / 1e6;
    }
}
