package dev.turnout.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Steady chat traffic from many sticky clients, spread over one or more gateways, until closed or
 * until its own deadline (it never runs away). Counts answers by the version that served them.
 */
public final class Traffic implements AutoCloseable {

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final List<Thread> threads = new ArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong sent = new AtomicLong();
    private final Map<String, AtomicLong> byVersion = new ConcurrentHashMap<>();
    private final Map<Integer, AtomicLong> byStatus = new ConcurrentHashMap<>();

    /**
     * @param bases   gateway base URLs ({@code http://127.0.0.1:port}); request i goes to bases[i % n]
     * @param clients distinct {@code X-Turnout-Client} ids, so a split's stickiness has many callers to spread
     */
    public static Traffic start(List<String> bases, String model, int threads, int clients, Duration deadline) {
        return new Traffic(bases, model, threads, clients, deadline);
    }

    private Traffic(List<String> bases, String model, int threadCount, int clients, Duration deadline) {
        long end = System.nanoTime() + deadline.toNanos();
        for (int t = 0; t < threadCount; t++) {
            int offset = t;
            Thread thread = new Thread(() -> {
                long i = offset;
                while (running.get() && System.nanoTime() < end) {
                    String base = bases.get((int) (i % bases.size()));
                    String body = "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"question "
                            + (i % 97) + "\"}]}";
                    HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
                            .timeout(Duration.ofSeconds(10)).header("content-type", "application/json")
                            .header("x-turnout-client", "client-" + (i * 7919 % clients))
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build();
                    try {
                        HttpResponse<String> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
                        byStatus.computeIfAbsent(response.statusCode(), key -> new AtomicLong()).incrementAndGet();
                        String version = response.headers().firstValue("x-turnout-version").orElse("(none)");
                        byVersion.computeIfAbsent(version, key -> new AtomicLong()).incrementAndGet();
                    } catch (Exception e) {
                        byStatus.computeIfAbsent(-1, key -> new AtomicLong()).incrementAndGet();
                        if (e instanceof InterruptedException) return;
                    }
                    sent.incrementAndGet();
                    i += threadCount;
                }
            }, "traffic-" + t);
            thread.setDaemon(true);
            thread.start();
            threads.add(thread);
        }
    }

    public long sent() {
        return sent.get();
    }

    public long servedBy(String version) {
        AtomicLong count = byVersion.get(version);
        return count == null ? 0 : count.get();
    }

    public Map<Integer, AtomicLong> byStatus() {
        return byStatus;
    }

    @Override
    public void close() {
        running.set(false);
        for (Thread thread : threads) {
            try {
                thread.join(15_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
