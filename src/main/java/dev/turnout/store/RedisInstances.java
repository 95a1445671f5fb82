package dev.turnout.store;

import static java.util.Objects.requireNonNull;

import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * The instance registry, {@code {prefix}:instances}: a hash of instance id to
 * {@code {"appliedRevision":7,"heartbeat":<epoch ms>}}. Each instance rewrites its own entry on
 * every applied table and every heartbeat interval; an entry older than the TTL belongs to an
 * instance that is gone (killed before it could remove itself) and is dropped when seen.
 */
final class RedisInstances {

    private final String key;
    private final String instanceId;
    private final Duration ttl;

    RedisInstances(String key, String instanceId, Duration ttl) {
        this.key = requireNonNull(key, "key");
        this.instanceId = requireNonNull(instanceId, "instanceId");
        this.ttl = requireNonNull(ttl, "ttl");
    }

    String key() {
        return key;
    }

    static String state(long appliedRevision, long heartbeatMillis) {
        return "{\"appliedRevision\":" + appliedRevision + ",\"heartbeat\":" + heartbeatMillis + "}";
    }

    /** A heartbeat lost while Redis is away is replaced by the next one; its outcome only tells whether Redis answers. */
    CompletionStage<Boolean> heartbeat(RedisClusterAsyncCommands<String, String> commands, long appliedRevision) {
        return commands.hset(key, instanceId, state(appliedRevision, System.currentTimeMillis()));
    }

    CompletionStage<Long> leave(RedisClusterAsyncCommands<String, String> commands) {
        return commands.hdel(key, instanceId);
    }

    /** The live instances, by id; removes the entries of instances gone silent. */
    CompletionStage<List<StoreStatus.InstanceState>> live(RedisClusterAsyncCommands<String, String> commands) {
        return commands.hgetall(key).thenApply(all -> {
            long now = System.currentTimeMillis();
            List<StoreStatus.InstanceState> live = new ArrayList<>();
            List<String> gone = new ArrayList<>();
            for (Map.Entry<String, String> entry : all.entrySet()) {
                StoreStatus.InstanceState instance = RedisDocuments.instance(entry.getKey(), entry.getValue());
                if (instance == null) continue; // not written by Turnout: leave it alone
                if (now - instance.heartbeat().toEpochMilli() <= ttl.toMillis()) live.add(instance);
                else gone.add(instance.id());
            }
            if (!gone.isEmpty()) commands.hdel(key, gone.toArray(String[]::new));
            live.sort(Comparator.comparing(StoreStatus.InstanceState::id));
            return live;
        });
    }
}
