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
 */
final class LoadGenerator {

    record Target(String name, URI url, String body, String[] headers) {}

    record Result(String target, long requests, long errors, double seconds, Histogram latencyUs) {
        double throughput() {
            return requests / seconds;
        }
    }

    record StreamResult(String target, long streams, long errors, Histogram ttftUs, Histogram gapUs, long chunks) {}

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
                .setPort(target.url().getPort()).setURI(target.url().getRawPath());
        options.putHeader("content-type", "application/json");
        for (int i = 0; i < target.headers().length; i += 2) options.putHeader(target.headers()[i], target.headers()[i + 1]);
        return options;
    }

    Result closedLoop(Target target, int connections, long durationMs) {
        HttpClient client = client(connections);
        Buffer body = Buffer.buffer(target.body());
        RequestOptions options = options(target);
        Histogram histogram = new Histogram(60_000_000L, 3);
        AtomicLong requests = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        long start = System.nanoTime();
        long end = start + durationMs * 1_000_000;
        Promise<Void> done = Promise.promise();
        AtomicLong running = new AtomicLong(connections);
        for (int i = 0; i < connections; i++) loop(client, options, body, end, histogram, requests, errors, running, done);
        await(done.future());
        double seconds = (System.nanoTime() - start) / 1e9;
        client.close();
        return new Result(target.name(), requests.get(), errors.get(), seconds, histogram);
    }

    private void loop(HttpClient client, RequestOptions options, Buffer body, long end, Histogram histogram,
                      AtomicLong requests, AtomicLong errors, AtomicLong running, Promise<Void> done) {
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
            if (result.succeeded() && result.result() < 400) requests.incrementAndGet();
            else errors.incrementAndGet();
            loop(client, options, body, end, histogram, requests, errors, running, done);
        });
    }

    Result openLoop(Target target, int ratePerSecond, long durationMs, int connections) {
        HttpClient client = client(connections);
        Buffer body = Buffer.buffer(target.body());
        RequestOptions options = options(target);
        Histogram histogram = new Histogram(60_000_000L, 3);
        AtomicLong requests = new AtomicLong();
        AtomicLong errors = new AtomicLong();
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
                    if (result.succeeded() && result.result() < 400) requests.incrementAndGet();
                    else errors.incrementAndGet();
                    if (completed.incrementAndGet() == total) done.tryComplete();
                });
            }
        });
        await(done.future());
        vertx.cancelTimer(timer);
        double seconds = (System.nanoTime() - start) / 1e9;
        client.close();
        return new Result(target.name(), requests.get(), errors.get(), seconds, histogram);
    }

    StreamResult streams(Target target, int connections, long durationMs) {
        HttpClient client = client(connections);
        Buffer body = Buffer.buffer(target.body());
        RequestOptions options = options(target);
        Histogram ttft = new Histogram(60_000_000L, 3);
        Histogram gaps = new Histogram(60_000_000L, 3);
        AtomicLong streams = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicLong chunks = new AtomicLong();
        long end = System.nanoTime() + durationMs * 1_000_000;
        Promise<Void> done = Promise.promise();
        AtomicLong running = new AtomicLong(connections);
        for (int i = 0; i < connections; i++) streamLoop(client, options, body, end, ttft, gaps, streams, errors, chunks, running, done);
        await(done.future());
        client.close();
        return new StreamResult(target.name(), streams.get(), errors.get(), ttft, gaps, chunks.get());
    }

    private void streamLoop(HttpClient client, RequestOptions options, Buffer body, long end, Histogram ttft, Histogram gaps,
                            AtomicLong streams, AtomicLong errors, AtomicLong chunks, AtomicLong running, Promise<Void> done) {
        if (System.nanoTime() >= end) {
            if (running.decrementAndGet() == 0) done.tryComplete();
            return;
        }
        long sent = System.nanoTime();
        long[] last = {0};
        client.request(options).compose(request -> request.send(body)).compose(response -> {
            Promise<Void> ended = Promise.promise();
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
            response.endHandler(v -> ended.complete());
            response.exceptionHandler(ended::tryFail);
            return ended.future();
        }).onComplete(result -> {
            if (result.succeeded()) streams.incrementAndGet();
            else errors.incrementAndGet();
            streamLoop(client, options, body, end, ttft, gaps, streams, errors, chunks, running, done);
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

    static <T> T await(Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
