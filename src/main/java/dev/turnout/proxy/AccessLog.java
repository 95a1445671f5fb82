package dev.turnout.proxy;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.PrintStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One JSON line per request: alias, version, decision, status, durations and bytes, never prompt
 * text, keys or client ids. Lines are queued and written by one daemon thread in batches every
 * {@value #FLUSH_MS} ms, so an event loop never waits on the terminal or a pipe and never wakes a
 * thread per request (on a small machine that wake-up cost more than the rest of the request);
 * when the queue is full lines are dropped and counted.
 */
public final class AccessLog {

    /**
     * What one finished request looked like. {@code upstreamError} says what went wrong upstream,
     * hosts and ports included: for operators, never in an answer to a client.
     */
    public record Entry(long epochMillis, String method, String path, String alias, String version, String decision,
                        int status, String outcome, int attempts, double gatewayMs, double totalMs, Double ttfbMs,
                        long bytesIn, long bytesOut, boolean shadowed, String traceparent, String upstreamError) {

        /** An entry with no upstream error. */
        public Entry(long epochMillis, String method, String path, String alias, String version, String decision,
                     int status, String outcome, int attempts, double gatewayMs, double totalMs, Double ttfbMs,
                     long bytesIn, long bytesOut, boolean shadowed, String traceparent) {
            this(epochMillis, method, path, alias, version, decision, status, outcome, attempts, gatewayMs, totalMs, ttfbMs,
                    bytesIn, bytesOut, shadowed, traceparent, null);
        }
    }

    private static final AccessLog DISABLED = new AccessLog(null, 0);
    static final long FLUSH_MS = 20;

    private final BlockingQueue<String> queue;
    private final AtomicLong dropped = new AtomicLong();

    private AccessLog(PrintStream out, int capacity) {
        if (out == null) {
            queue = null;
            return;
        }
        queue = new ArrayBlockingQueue<>(capacity);
        Thread writer = new Thread(() -> {
            java.util.List<String> batch = new java.util.ArrayList<>();
            StringBuilder text = new StringBuilder();
            while (!Thread.currentThread().isInterrupted()) {
                queue.drainTo(batch);
                if (batch.isEmpty()) {
                    java.util.concurrent.locks.LockSupport.parkNanos(FLUSH_MS * 1_000_000);
                    continue;
                }
                for (String line : batch) text.append(line).append('\n');
                out.print(text);
                out.flush();
                text.setLength(0);
                batch.clear();
            }
        }, "turnout-access-log");
        writer.setDaemon(true);
        writer.start();
    }

    public static AccessLog to(PrintStream out) {
        return new AccessLog(out, 65_536);
    }

    public static AccessLog disabled() {
        return DISABLED;
    }

    public long dropped() {
        return dropped.get();
    }

    public void log(Entry entry) {
        if (queue == null) return;
        if (!queue.offer(format(entry))) dropped.incrementAndGet();
    }

    static String format(Entry e) {
        StringBuilder line = new StringBuilder(256).append("{\"type\":\"access\",\"time\":").append(e.epochMillis());
        field(line, "method", e.method());
        field(line, "path", e.path());
        field(line, "alias", e.alias());
        field(line, "version", e.version());
        field(line, "decision", e.decision());
        line.append(",\"status\":").append(e.status());
        field(line, "outcome", e.outcome());
        line.append(",\"attempts\":").append(e.attempts())
                .append(",\"gatewayMs\":").append(round(e.gatewayMs()))
                .append(",\"totalMs\":").append(round(e.totalMs()))
                .append(",\"ttfbMs\":").append(e.ttfbMs() == null ? "null" : Double.toString(round(e.ttfbMs())))
                .append(",\"bytesIn\":").append(e.bytesIn())
                .append(",\"bytesOut\":").append(e.bytesOut())
                .append(",\"shadowed\":").append(e.shadowed());
        field(line, "traceparent", e.traceparent());
        if (e.upstreamError() != null) field(line, "upstreamError", e.upstreamError());
        return line.append('}').toString();
    }

    private static void field(StringBuilder line, String name, String value) {
        line.append(",\"").append(name).append("\":");
        if (value == null) {
            line.append("null");
        } else {
            line.append('"');
            JsonStringEncoder.getInstance().quoteAsString(value, line);
            line.append('"');
        }
    }

    private static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }
}
