package dev.turnout.diff;

import io.lettuce.core.RedisClient;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Pairs appended to a capped Redis stream ({@code {prefix}:diffs}, trimmed to about
 * {@code maxLength} entries), where every instance's pairs meet and any consumer can read them.
 * Fire and forget: a pair lost while Redis is down costs nothing but that pair.
 */
public final class RedisDiffSink implements DiffSink {

    private static final Logger LOG = Logger.getLogger(RedisDiffSink.class.getName());

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final String key;
    private final XAddArgs args;

    public RedisDiffSink(String uri, String prefix, long maxLength) {
        this.client = RedisClient.create(uri);
        this.connection = client.connect();
        this.key = "{" + prefix + "}:diffs";
        this.args = XAddArgs.Builder.maxlen(maxLength).approximateTrimming();
    }

    @Override
    public void accept(DiffRecord record) {
        connection.async().xadd(key, args, Map.of("record", record.toJson().toString()))
                .exceptionally(error -> {
                    LOG.log(Level.FINE, "diff not added to Redis: " + error.getMessage());
                    return null;
                });
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown();
    }
}
