package dev.turnout.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.util.EnumSet;

/**
 * Which of Vert.x's own meters the gateway keeps. Only the upstream side (HTTP client: requests,
 * pool queues, bytes; worker pools): every label there is a value the gateway chooses, and the
 * upstream's status code is a three-digit number.
 *
 * <p>The server side is off as a whole. Its meters are labelled by what the client sends (method,
 * path, remote address): with the default {@code method} label, each made-up method added ~11
 * series until the heap ran out. Collapsing values with a Micrometer filter would not help, since
 * Vert.x and Micrometer would still keep one map entry per raw value. Turning the domain off also
 * removes a timer, two summaries and a counter update per request and a meter set per connection;
 * {@code turnout_requests_total} and the duration histograms already count what a client sees.
 */
public final class VertxMeters {

    /** None of them can hold a client-chosen value once the server domains are off. */
    static final EnumSet<Label> LABELS = EnumSet.of(Label.HTTP_CODE, Label.POOL_TYPE, Label.POOL_NAME, Label.CLIENT_NAME,
            Label.NAMESPACE);

    private VertxMeters() {}

    /**
     * @param httpClientMeters whether to keep Vert.x's per-request upstream meters; off
     *     ({@code TURNOUT_VERTX_HTTP_METRICS=off}) saves about a tenth of the gateway's CPU per request
     *     and 2 KB of allocation, at the price of the {@code vertx_http_client_*} series (pool queues)
     */
    public static MicrometerMetricsOptions options(boolean httpClientMeters) {
        MicrometerMetricsOptions options = new MicrometerMetricsOptions().setEnabled(true).setLabels(EnumSet.copyOf(LABELS));
        EnumSet<MetricsDomain> off = EnumSet.of(MetricsDomain.HTTP_SERVER, MetricsDomain.NET_SERVER, MetricsDomain.EVENT_BUS,
                MetricsDomain.DATAGRAM_SOCKET);
        if (!httpClientMeters) off.add(MetricsDomain.HTTP_CLIENT);
        off.forEach(options::addDisabledMetricsCategory);
        return options;
    }

    /** Vert.x with {@code eventLoops} event loops and the meters above in {@code registry}. */
    public static Vertx vertx(int eventLoops, MeterRegistry registry, boolean httpClientMeters) {
        VertxOptions options = new VertxOptions().setEventLoopPoolSize(eventLoops);
        options.setMetricsOptions(options(httpClientMeters));
        return Vertx.builder().with(options).withMetrics(new MicrometerMetricsFactory(registry)).build();
    }
}
