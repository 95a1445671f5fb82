package dev.turnout.load;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * Drives one target (host, port, path) with POSTs and records latencies in HdrHistogram, in
 * microseconds. Three modes:
 * <ul>
 *   <li>closed loop: N connections, each sends its next request when the previous answer ends;</li>
 *   <li>open loop: requests are due at a constant rate; each latency counts from the request's
 *       intended send time, so a stall shows up in every request it delays (no coordinated omission);</li>
 *   <li>stream: closed loop over SSE answers, recording time to the first chunk and the gaps between chunks.</li>
 * </ul>
 * A request silent for {@value #REQUEST_TIMEOUT_MS} ms (no connection, no byte) fails and counts as a
 * timeout (and an error), so a hung upstream or gateway never stalls the run; and each loop as a
 * whole must end within its duration plus that timeout, or the arm fails.
 */
final class LoadGenerator {

    record Target(String name, URI url, String body, String[] headers) {}

    static final long REQUEST_TIMEOUT_MS = 10_000;

    /** @param errors every request not answered below 400, timeouts included */
    record Result(String target, long requests, long errors, long timeouts, double seconds, Histogram latencyUs) {
        double throughput() {
            return requests / seconds;
        }
    }

    record StreamResult(String target, long streams, long errors, long timeouts, Histogram ttftUs, Histogram gapUs, long chunks) {}

    private final Vertx vertx;

    LoadGenerator(Vertx vertx) {
        this.vertx = vertx;
    }

    private HttpClient client(int connections) {
        return vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true),
                new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(-1));
    }

    private RequestOptions options(Target target) {
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost(target.url().getHost())
                .setPort(target.url().getPort()).setURI(target.url().getRawPath())
                .setConnectTimeout(REQUEST_TIMEOUT_MS).setIdleTimeout(REQUEST_TIMEOUT_MS);
        options.putHeader("content-type", "application/json");
        for (int i = 0; i < target.headers().length; i += 2) options.putHeader(target.headers()[i], target.headers()[i + 1]);
        return options;
    }

    Result closedLoop(Target target, int connections, long durationMs) {
        HttpClient client = client(connections);
        Buffer body = Buffer.buffer(target.body());
        RequestOptions options = options(target);
        Histogram histogram = new Histogram(60_000_000L, 3);
        Counts counts = new Counts();
        long start = System.nanoTime();
        long end = start + durationMs * 1_000_000;
        Promise<Void> done = Promise.promise();
        AtomicLong running = new AtomicLong(connections);
        for (int i = 0; i < connections; i++) loop(client, options, body, end, histogram, counts, running, done);
        await(done.future(), target.name(), durationMs);
        double seconds = (System.nanoTime() - start) / 1e9;
        client.close();
        return new Result(target.name(), counts.ok.get(), counts.errors.get(), counts.timeouts.get(), seconds, histogram);
    }

    /** Answered, failed, and of those failed, silent past the timeout. */
    private static final class Counts {
        final AtomicLong ok = new AtomicLong();
        final AtomicLong errors = new AtomicLong();
        final AtomicLong timeouts = new AtomicLong();

        void record(io.vertx.core.AsyncResult<Integer> result) {
            if (result.succeeded() && result.result() < 400) {
                ok.incrementAndGet();
                return;
            }
            errors.incrementAndGet();
            if (result.failed() && result.cause() instanceof java.util.concurrent.TimeoutException) timeouts.incrementAndGet();
            String cause = result.succeeded() ? "HTTP " + result.result()
                    : result.cause().getClass().getSimpleName() + ": " + String.valueOf(result.cause().getMessage());
            cause = cause.length() > 120 ? cause.substring(0, 120) : cause;
            // A run's failures by cause, so that the next unanswered request says why; at most 20 kinds.
            if (FAILURE_CAUSES.size() >= 20 && !FAILURE_CAUSES.containsKey(cause)) cause = "other";
            FAILURE_CAUSES.computeIfAbsent(cause, c -> new AtomicLong()).incrementAndGet();
        }
    }

    /** Every failed request of the run, by cause (status, or exception and message). */
    static final java.util.Map<String, AtomicLong> FAILURE_CAUSES = new java.util.concurrent.ConcurrentHashMap<>();

    private void loop(HttpClient client, RequestOptions options, Buffer body, long end, Histogram histogram,
                      Counts counts, AtomicLong running, Promise<Void> done) {
        if (System.nanoTime() >= end) {
            if (running.decrementAndGet() == 0) done.tryComplete();
            return;
        }
        long sent = System.nanoTime();
        send(client, options, body).onComplete(result -> {
            long micros = (System.nanoTime() - sent) / 1000;
            synchronized (histogram) {
                histogram.recordValue(Math.min(micros, histogram.getHighestTrackableValue()));
            }
            counts.record(result);
            loop(client, options, body, end, histogram, counts, running, done);
        });
    }

    Result openLoop(Target target, int ratePerSecond, long durationMs, int connections) {
        HttpClient client = client(connections);
        Buffer body = Buffer.buffer(target.body());
        RequestOptions options = options(target);
        Histogram histogram = new Histogram(60_000_000L, 3);
        Counts counts = new Counts();
        long total = ratePerSecond * durationMs / 1000;
        long intervalNanos = 1_000_000_000L / ratePerSecond;
        long start = System.nanoTime();
        AtomicLong issued = new AtomicLong();
        AtomicLong completed = new AtomicLong();
        Promise<Void> done = Promise.promise();
        // Every millisecond, issue every request whose intended time has come.
        long timer = vertx.setPeriodic(1, id -> {
            long due = Math.min(total, (System.nanoTime() - start) / intervalNanos + 1);
            while (issued.get() < due) {
                long intended = start + issued.getAndIncrement() * intervalNanos;
                send(client, options, body).onComplete(result -> {
                    long micros = Math.max(0, (System.nanoTime() - intended) / 1000);
                    synchronized (histogram) {
                        histogram.recordValue(Math.min(micros, histogram.getHighestTrackableValue()));
                    }
                    counts.record(result);
                    if (completed.incrementAndGet() == total) done.tryComplete();
                });
            }
        });
        try {
            await(done.future(), target.name(), durationMs);
        } finally {
            vertx.cancelTimer(timer);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        client.close();
        return new Result(target.name(), counts.ok.get(), counts.errors.get(), counts.timeouts.get(), seconds, histogram);
    }

    StreamResult streams(Target target, int connections, long durationMs) {
        HttpClient client = client(connections);
        Buffer body = Buffer.buffer(target.body());
        RequestOptions options = options(target);
        Histogram ttft = new Histogram(60_000_000L, 3);
        Histogram gaps = new Histogram(60_000_000L, 3);
        Counts counts = new Counts();
        AtomicLong chunks = new AtomicLong();
        long end = System.nanoTime() + durationMs * 1_000_000;
        Promise<Void> done = Promise.promise();
        AtomicLong running = new AtomicLong(connections);
        for (int i = 0; i < connections; i++) streamLoop(client, options, body, end, ttft, gaps, counts, chunks, running, done);
        await(done.future(), target.name(), durationMs);
        client.close();
        return new StreamResult(target.name(), counts.ok.get(), counts.errors.get(), counts.timeouts.get(), ttft, gaps, chunks.get());
    }

    private void streamLoop(HttpClient client, RequestOptions options, Buffer body, long end, Histogram ttft, Histogram gaps,
                            Counts counts, AtomicLong chunks, AtomicLong running, Promise<Void> done) {
        if (System.nanoTime() >= end) {
            if (running.decrementAndGet() == 0) done.tryComplete();
            return;
        }
        long sent = System.nanoTime();
        long[] last = {0};
        client.request(options).compose(request -> request.send(body)).compose(response -> {
            Promise<Integer> ended = Promise.promise();
            response.handler(chunk -> {
                long now = System.nanoTime();
                // Count SSE events, not TCP reads: one read may carry several events.
                int events = countEvents(chunk);
                chunks.addAndGet(events);
                synchronized (ttft) {
                    if (last[0] == 0) ttft.recordValue(Math.min((now - sent) / 1000, ttft.getHighestTrackableValue()));
                    else gaps.recordValue(Math.min((now - last[0]) / 1000, gaps.getHighestTrackableValue()));
                }
                last[0] = now;
            });
            response.endHandler(v -> ended.tryComplete(response.statusCode()));
            response.exceptionHandler(ended::tryFail);
            return ended.future();
        }).onComplete(result -> {
            counts.record(result);
            streamLoop(client, options, body, end, ttft, gaps, counts, chunks, running, done);
        });
    }

    private static int countEvents(Buffer chunk) {
        int events = 0;
        for (int i = 0; i < chunk.length() - 1; i++) {
            if (chunk.getByte(i) == '\n' && chunk.getByte(i + 1) == '\n') events++;
        }
        return events;
    }

    private static Future<Integer> send(HttpClient client, RequestOptions options, Buffer body) {
        return client.request(options).compose(request -> request.send(body))
                .compose(response -> response.body().map(b -> response.statusCode()));
    }

    /** Waits for a loop of {@code durationMs}; past it and a request timeout more (plus slack), the arm has hung: it fails. */
    static <T> T await(Future<T> future, String arm, long durationMs) {
        long limitMs = durationMs + REQUEST_TIMEOUT_MS + 30_000;
        try {
            return future.toCompletionStage().toCompletableFuture().get(limitMs, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("arm " + arm + " did not end within " + limitMs + " ms");
        } catch (Exception e) {
            throw new IllegalStateException("arm " + arm + " failed: " + e, e);
        }
    }
}
