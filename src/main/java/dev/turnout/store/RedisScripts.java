package dev.turnout.store;

import io.lettuce.core.codec.Base16;
import java.nio.charset.StandardCharsets;

/**
 * The Lua scripts that change the stored routes. Each runs atomically in Redis, so compare,
 * increment, store, record and publish happen as one step: no other write can slip in between,
 * and no instance can see a revision without its table. All keys share one hash tag
 * ({@code {prefix}:...}), so the scripts also run on Redis Cluster.
 *
 * <p>The table JSON arrives without its revision ({@code {"versions":...}}); the script splices
 * the revision it assigns in front, so the stored and published document always carries the
 * revision it was stored as, and the writer never has to guess it.
 */
final class RedisScripts {

    private RedisScripts() {}

    /**
     * KEYS: rev, table, history, instances.
     * ARGV: [1] expected revision (-1 = any), [2] table JSON without revision, [3] history entry
     * JSON without revision and routes, [4] history limit, [5] channel, [6] the writer's applied
     * revision: a store holding less (Redis came back empty and nobody has restored yet) counts as
     * holding that, so revisions never go backwards; [7] the revision whose routes equal the
     * proposed ones, compared in Java ({@code RouteTable.sameRoutesAs}, not byte for byte), or -1;
     * [8] instance id, [9] now in epoch ms: the writer's own instance entry moves with the write.
     * Returns {1, rev} when written, {0, stored} on a conflict, {2, stored} when nothing changed.
     */
    static final String WRITE = String.join("\n",
            "local actual = tonumber(redis.call('GET', KEYS[1]) or '0')",
            "local stored = math.max(actual, tonumber(ARGV[6]))",
            "local expected = tonumber(ARGV[1])",
            "if expected >= 0 and expected ~= stored then return {0, stored} end",
            "if actual > 0 and tonumber(ARGV[7]) == actual then return {2, stored} end",
            // The writer's view was stale: fall back to comparing the stored document itself.
            "local current = redis.call('GET', KEYS[2])",
            "if current then",
            "  local comma = string.find(current, ',', 1, true)",
            "  if comma and string.sub(current, comma + 1) == string.sub(ARGV[2], 2) then return {2, stored} end",
            "end",
            "local rev = stored + 1",
            "local doc = '{\"revision\":' .. rev .. ',' .. string.sub(ARGV[2], 2)",
            "redis.call('SET', KEYS[1], rev)",
            "redis.call('SET', KEYS[2], doc)",
            "redis.call('LPUSH', KEYS[3], '{\"revision\":' .. rev .. ',\"routes\":' .. doc .. ',' .. string.sub(ARGV[3], 2))",
            "redis.call('LTRIM', KEYS[3], 0, tonumber(ARGV[4]) - 1)",
            "redis.call('HSET', KEYS[4], ARGV[8], '{\"appliedRevision\":' .. rev .. ',\"heartbeat\":' .. ARGV[9] .. '}')",
            "redis.call('PUBLISH', ARGV[5], doc)",
            "return {1, rev}");

    /**
     * Puts back a table an instance still serves after Redis lost its data, keeping its revision
     * so revisions never go backwards. Only writes when the store holds an older revision (or
     * none): when several instances race, the newest table wins.
     * KEYS: rev, table, history. ARGV: revision, table JSON without revision, history entry JSON
     * without revision and routes, history limit, channel. Returns {1, rev} or {0, stored}.
     */
    static final String RESTORE = String.join("\n",
            "local stored = tonumber(redis.call('GET', KEYS[1]) or '0')",
            "local rev = tonumber(ARGV[1])",
            "if stored >= rev then return {0, stored} end",
            "local doc = '{\"revision\":' .. rev .. ',' .. string.sub(ARGV[2], 2)",
            "redis.call('SET', KEYS[1], rev)",
            "redis.call('SET', KEYS[2], doc)",
            "redis.call('LPUSH', KEYS[3], '{\"revision\":' .. rev .. ',\"routes\":' .. doc .. ',' .. string.sub(ARGV[3], 2))",
            "redis.call('LTRIM', KEYS[3], 0, tonumber(ARGV[4]) - 1)",
            "redis.call('PUBLISH', ARGV[5], doc)",
            "return {1, rev}");

    static final String WRITE_SHA = sha1(WRITE);
    static final String RESTORE_SHA = sha1(RESTORE);

    /** What EVALSHA names a script by: the hex SHA-1 of its text, as Redis computes it. */
    static String sha1(String script) {
        return Base16.digest(script.getBytes(StandardCharsets.UTF_8));
    }
}
