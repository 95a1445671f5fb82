package dev.turnout.proxy;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.PrintStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One JSON line per request: alias, version, decision, status, durations and bytes, never prompt
 * text, keys or client ids. Entries are queued and formatted and written by one daemon thread in
 * batches every {@value #FLUSH_MS} ms, so an event loop neither formats JSON nor waits on the
 * terminal or a pipe, and never wakes a thread per request (on a small machine that wake-up cost
 * more than the rest of the request); when the queue is full entries are dropped and counted.
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

    private final BlockingQueue<Entry> queue;
    private final AtomicLong dropped = new AtomicLong();

    private AccessLog(PrintStream out, int capacity) {
        if (out == null) {
            queue = null;
            return;
        }
        queue = new ArrayBlockingQueue<>(capacity);
        Thread writer = new Thread(() -> {
            java.util.List<Entry> batch = new java.util.ArrayList<>();
            StringBuilder text = new StringBuilder();
            while (!Thread.currentThread().isInterrupted()) {
                queue.drainTo(batch);
                if (batch.isEmpty()) {
                    java.util.concurrent.locks.LockSupport.parkNanos(FLUSH_MS * 1_000_000);
                    continue;
                }
                for (int i = 0; i < batch.size(); i++) append(text, batch.get(i)).append('\n');
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
        if (!queue.offer(entry)) dropped.incrementAndGet();
    }

    private static StringBuilder append(StringBuilder line, Entry e) {
        line.append("{\"type\":\"access\",\"time\":").append(e.epochMillis());
        field(line, "method", e.method());
        field(line, "path", e.path());
        field(line, "alias", e.alias());
        field(line, "version", e.version());
        field(line, "decision", e.decision());
        line.append(",\"status\":").append(e.status());
        field(line, "outcome", e.outcome());
        line.append(",\"attempts\":").append(e.attempts())
                .append(",\"gatewayMs\":");
        millis(line, e.gatewayMs()).append(",\"totalMs\":");
        millis(line, e.totalMs()).append(",\"ttfbMs\":");
        if (e.ttfbMs() == null) line.append("null");
        else millis(line, e.ttfbMs());
        line.append(",\"bytesIn\":").append(e.bytesIn())
                .append(",\"bytesOut\":").append(e.bytesOut())
                .append(",\"shadowed\":").append(e.shadowed());
        field(line, "traceparent", e.traceparent());
        if (e.upstreamError() != null) field(line, "upstreamError", e.upstreamError());
        return line.append('}');
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

    /**
     * {@code value} rounded to 3 decimals, written as {@link Double#toString} writes that rounded
     * double ("12.5", "3.0", "0.042"), without the general float-to-text conversion below 10^7,
     * where Double.toString switches to exponent notation.
     */
    static StringBuilder millis(StringBuilder line, double value) {
        double rounded = Math.round(value * 1000) / 1000.0;
        if (!(rounded >= 0 && rounded < 1e7)) return line.append(rounded);
        long thousandths = Math.round(value * 1000);
        line.append(thousandths / 1000).append('.');
        int fraction = (int) (thousandths % 1000);
        if (fraction == 0) return line.append('0');
        if (fraction < 100) line.append('0');
        if (fraction < 10) line.append('0');
        while (fraction % 10 == 0) fraction /= 10;
        return line.append(fraction);
    }
}
