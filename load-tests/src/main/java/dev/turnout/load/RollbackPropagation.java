package dev.turnout.load;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * Three gateway instances on one redis-server. For each change: a weight change through instance
 * 0's admin API; from the moment its answer arrives, each instance's data plane is asked
 * ({@code GET /v1/models}, which carries {@code x-turnout-revision} and needs no upstream) every
 * 200 µs until it serves the new revision; the change's time is the slowest instance's. The
 * pause keeps the pollers from eating the two cores the instances need to apply the change.
 */
final class RollbackPropagation {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private RollbackPropagation() {}

    static Histogram measure(Processes processes, int simPort, int changes) throws Exception {
        int redisPort = Processes.freePort();
        processes.redis(redisPort);
        String routes = String.join("\n",
                "versions:",
                "  v1: { url: 'http://127.0.0.1:" + simPort + "/v1' }",
                "aliases:",
                "  bench: { split: { v1: 1 } }",
                "");
        int[] ports = new int[3];
        int[] admin = new int[3];
        List<Process> gateways = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ports[i] = Processes.freePort();
            admin[i] = Processes.freePort();
            gateways.add(processes.gateway("redis-gw-" + i, routes, ports[i], admin[i],
                    Map.of("TURNOUT_STORE", "redis", "TURNOUT_REDIS_URI", "redis://127.0.0.1:" + redisPort)));
        }
        Histogram histogram = new Histogram(60_000_000L, 3);
        ExecutorService pollers = Executors.newFixedThreadPool(3);
        try {
            for (int i = 0; i < 3; i++) revisionServed(ports[i]); // warm up every data plane
            // The first 20 changes warm the JIT on the apply path and are not counted.
            for (int change = -20; change < changes; change++) {
                HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin[0]
                                + "/admin/aliases/bench")).method("PATCH", HttpRequest.BodyPublishers.ofString(
                                "{\"split\":{\"v1\":" + (1 + Math.floorMod(change, 2)) + "}}")).header("x-turnout-author", "bench")
                                .header("content-type", "application/json").build(),
                        HttpResponse.BodyHandlers.ofString());
                long answered = System.nanoTime();
                if (answer.statusCode() != 200) throw new IllegalStateException("admin write failed: " + answer.body());
                long revision = Long.parseLong(answer.headers().firstValue("etag").orElseThrow().replace("\"", ""));
                List<Future<Long>> servedAt = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    int port = ports[i];
                    servedAt.add(pollers.submit(() -> {
                        while (revisionServed(port) < revision) LockSupport.parkNanos(200_000);
                        return System.nanoTime();
                    }));
                }
                long slowest = 0;
                for (Future<Long> served : servedAt) slowest = Math.max(slowest, served.get());
                if (change >= 0) histogram.recordValue(Math.max(0, (slowest - answered) / 1000));
            }
        } finally {
            pollers.shutdownNow();
            gateways.forEach(Processes::stop);
        }
        return histogram;
    }

    private static long revisionServed(int port) throws Exception {
        HttpResponse<Void> answer = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/models"))
                .GET().build(), HttpResponse.BodyHandlers.discarding());
        return answer.headers().firstValue("x-turnout-revision").map(Long::parseLong).orElse(0L);
    }
}
