package dev.turnout.load;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * Three gateway instances on one redis-server. For each change: a weight change through instance
 * 0's admin API; from the moment its answer arrives, each instance's data plane is asked
 * ({@code GET /v1/models}, which carries {@code x-turnout-revision} and needs no upstream), all
 * three at once from this one thread over kept-alive sockets ({@link RevisionProbe}), until all serve the
 * new revision; an instance's time is when the answer showing it arrived, the change's time the
 * slowest instance's. A 200 µs pause between rounds keeps the probes from eating the two cores the
 * instances need to apply the change.
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
        List<RevisionProbe> probes = new ArrayList<>();
        for (int i = 0; i < 3; i++) probes.add(new RevisionProbe(ports[i]));
        try {
            // Warm up every data plane's answer to the probe: the figure is about applying a change.
            for (int round = 0; round < 2_000; round++) {
                for (RevisionProbe probe : probes) probe.revision();
            }
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
                boolean[] served = new boolean[3];
                int waiting = 3;
                long slowest = answered;
                while (true) {
                    for (int i = 0; i < 3; i++) {
                        if (!served[i]) probes.get(i).send();
                    }
                    for (int i = 0; i < 3; i++) {
                        if (served[i] || probes.get(i).receive() < revision) continue;
                        served[i] = true;
                        waiting--;
                        slowest = System.nanoTime();
                    }
                    if (waiting == 0) break;
                    LockSupport.parkNanos(200_000);
                }
                if (change >= 0) histogram.recordValue(Math.max(0, (slowest - answered) / 1000));
            }
        } finally {
            probes.forEach(RevisionProbe::close);
            gateways.forEach(Processes::stop);
        }
        return histogram;
    }
}
