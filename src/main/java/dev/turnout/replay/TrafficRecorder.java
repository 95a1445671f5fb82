package dev.turnout.replay;

import static java.util.Objects.requireNonNull;

import dev.turnout.config.GatewayConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Records a sampled share of live exchanges for replays. The data plane asks {@link #begin} for a
 * tee per request (null when the alias is not recorded or the request is not sampled); the tee
 * copies the primary's answer as it streams and, when it ends, is queued for one background
 * thread that redacts it ({@link Redaction}) and appends it to the {@link TrafficLog}. Nothing
 * here blocks an event loop or calls Redis from one.
 *
 * <p>Memory is bounded in bytes: every tee reserves its request copy and answer buffer from one
 * budget ({@code recording.maxPendingBytes}) from the moment it starts until its exchange is
 * written (an XADD answered, or failed); a tee that cannot reserve is dropped and counted as
 * {@code backlog}. A request larger than {@code recording.maxRequestBytes} (before or after
 * redaction) is not recorded ({@code too_large}); a write the log refuses is {@code store_error}.
 * A sampled-out request is not a drop. A call that fails is not recorded at all.
 */
public final class TrafficRecorder implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(TrafficRecorder.class.getName());
    /** Counted per tee beside its bytes, so that the queue's length is bounded by the budget too. */
    static final int OVERHEAD_BYTES = 256;
    static final int MAX_REQUEST_ID = 128;

    /** Why an exchange was not recorded: a fixed set, so the meter's labels are bounded. */
    public enum Drop {
        TOO_LARGE, BACKLOG, STORE_ERROR;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final GatewayConfig.Recording config;
    private final TrafficLog log;
    private final Redaction redaction;
    private final AtomicLong held = new AtomicLong();
    private final Counter recorded;
    private final Map<Drop, Counter> drops = new EnumMap<>(Drop.class);
    private final BlockingQueue<RecordingTee> queue = new LinkedBlockingQueue<>();
    private final Thread writer;

    public TrafficRecorder(GatewayConfig.Recording config, TrafficLog log, MeterRegistry registry) {
        this.config = requireNonNull(config, "config");
        this.log = requireNonNull(log, "log");
        this.redaction = Redaction.of(config);
        this.recorded = Counter.builder("turnout.recorded").description("Exchanges recorded for replays")
                .register(registry);
        for (Drop reason : Drop.values()) {
            drops.put(reason, Counter.builder("turnout.record.dropped").tag("reason", reason.label())
                    .description("Sampled exchanges not recorded, by reason").register(registry));
        }
        Gauge.builder("turnout.record.pending.bytes", held, AtomicLong::get)
                .description("Bytes of exchanges being captured or waiting to be written").register(registry);
        this.writer = new Thread(this::work, "turnout-recorder");
        writer.setDaemon(true);
        writer.start();
    }

    /**
     * A tee for the primary's answer to this request (a {@code requestId} that is null or blank is
     * made up) to this request, or null when it is not recorded: the alias
     * is not, the request is not sampled, is too large, or the budget is spent. Cheap when the
     * alias is not recorded: no copy is made.
     */
    public RecordingTee begin(String alias, String version, String path, String requestId, byte[] body, int bodyLength,
                              long startNanos) {
        if (!config.records(alias) || ThreadLocalRandom.current().nextDouble() >= config.sample()) return null;
        if (bodyLength > config.maxRequestBytes()) {
            dropped(Drop.TOO_LARGE);
            return null;
        }
        int initial = Math.min(RecordingTee.INITIAL_BYTES, config.maxAnswerBytes());
        long first = (long) bodyLength + initial + OVERHEAD_BYTES;
        if (!reserve(first)) {
            dropped(Drop.BACKLOG);
            return null;
        }
        // The client's header: kept in the log, cut so it cannot grow an entry.
        String id = requestId == null || requestId.isBlank() ? UUID.randomUUID().toString()
                : requestId.length() <= MAX_REQUEST_ID ? requestId : requestId.substring(0, MAX_REQUEST_ID);
        return new RecordingTee(this, alias, version, path, id, Arrays.copyOf(body, bodyLength), startNanos,
                config.maxAnswerBytes(), initial, first);
    }

    boolean reserve(long bytes) {
        while (true) {
            long now = held.get();
            if (now + bytes > config.maxPendingBytes()) return false;
            if (held.compareAndSet(now, now + bytes)) return true;
        }
    }

    void release(long bytes) {
        held.addAndGet(-bytes);
    }

    void dropped(Drop reason) {
        drops.get(reason).increment();
    }

    void enqueue(RecordingTee tee) {
        queue.add(tee); // never full: its length is bounded by the byte budget each tee holds a share of
    }

    private void work() {
        while (!Thread.currentThread().isInterrupted()) {
            RecordingTee tee;
            try {
                tee = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            try {
                write(tee);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "recording an exchange of " + tee.alias + " failed", e);
                release(tee.reserved());
                dropped(Drop.STORE_ERROR);
            }
        }
    }

    private void write(RecordingTee tee) {
        String request = redaction.request(new String(tee.request, StandardCharsets.UTF_8));
        if (request.getBytes(StandardCharsets.UTF_8).length > config.maxRequestBytes()) {
            release(tee.reserved());
            dropped(Drop.TOO_LARGE);
            return;
        }
        String answer = redaction.answer(new String(tee.answer(), 0, tee.length(), StandardCharsets.UTF_8));
        String capped = Redaction.capBytes(answer, config.maxAnswerBytes());
        RecordedExchange exchange = new RecordedExchange("", tee.alias, tee.version(), tee.path, tee.requestId, Instant.now(),
                tee.status(), tee.streamed(), tee.truncated() || capped.length() < answer.length(), tee.durationMs(),
                tee.ttftMs(), request, capped);
        log.append(exchange).onComplete(written -> {
            release(tee.reserved());
            if (written.succeeded()) {
                recorded.increment();
            } else {
                LOG.fine(() -> "recording an exchange of " + tee.alias + " failed: " + written.cause());
                dropped(Drop.STORE_ERROR);
            }
        });
    }

    public long recorded() {
        return (long) recorded.count();
    }

    public long dropped(String reason) {
        return drops.entrySet().stream().filter(e -> e.getKey().label().equals(reason))
                .mapToLong(e -> (long) e.getValue().count()).sum();
    }

    /** Bytes held now by tees capturing or waiting to be written; never above {@code maxPendingBytes}. */
    public long pendingBytes() {
        return held.get();
    }

    /** Stops the writer; what is still queued is not written. The log is the caller's. Blocks up to 5 s: call it off the event loop. */
    @Override
    public void close() {
        writer.interrupt();
        try {
            writer.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
