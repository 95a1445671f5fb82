package dev.turnout.load;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Issue 10's scenario: 300-token answers, every request shadowed, 32 connections, a 128 MiB heap;
 * the gateway once died of OutOfMemoryError within 12 s. Records the throughput, the gateway's live
 * heap after a full GC, the bytes its shadow captures still hold, and the pairs shed per reason
 * during the arm (from {@code /metrics}, after minus before).
 */
final class ShadowMemory {

    private static final Pattern DROPPED = Pattern.compile("^turnout_shadow_dropped_total\\{reason=\"([a-z_]+)\"} ([0-9.E]+)$",
            Pattern.MULTILINE);
    private static final Pattern HELD = Pattern.compile("^turnout_shadow_held_bytes ([0-9.E]+)$", Pattern.MULTILINE);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private ShadowMemory() {}

    static ObjectNode measure(LoadGenerator load, LoadGenerator.Target target, int connections, long durationMs,
                              Process gateway, int adminPort) {
        Map<String, Double> before = dropped(metrics(adminPort));
        LoadGenerator.Result result = load.closedLoop(target, connections, durationMs);
        String after = metrics(adminPort);
        long heap = Processes.heapUsedAfterGc(gateway);
        ObjectNode node = Bench.JSON.createObjectNode().put("tokens", 300).put("connections", connections)
                .put("throughput", Math.round(result.throughput())).put("errors", result.errors())
                .put("timeouts", result.timeouts()).put("heapAfterGcBytes", heap);
        Matcher held = HELD.matcher(after);
        if (held.find()) node.put("heldBytesAtEnd", (long) Double.parseDouble(held.group(1)));
        ObjectNode shed = node.putObject("shedDuringArm");
        dropped(after).forEach((reason, count) -> shed.put(reason, Math.round(count - before.getOrDefault(reason, 0.0))));
        return node;
    }

    private static Map<String, Double> dropped(String metrics) {
        Map<String, Double> counts = new TreeMap<>();
        Matcher matcher = DROPPED.matcher(metrics);
        while (matcher.find()) counts.put(matcher.group(1), Double.parseDouble(matcher.group(2)));
        return counts;
    }

    private static String metrics(int adminPort) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/metrics"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the gateway's /metrics: " + e, e);
        }
    }
}
