package dev.turnout.store;

/**
 * The Lua scripts that change the stored routes. Each runs atomically in Redis, so compare,
 * increment, store, record and publish happen as one step: no other write can slip in between,
 * and no instance can see a revision without its table. All keys share one hash tag
 * ({@code {prefix}:...}), so the scripts also run on Redis Cluster.
 *
 * <p>The table JSON arrives without its revision ({@code {"versions":...}}); the script splices
 * the revision it assigns in front, so the stored and published document always carries the
 * revision it was stored as.
 */
final class RedisScripts {

    private RedisScripts() {}

    /**
     * KEYS: rev, table, history. ARGV: expected revision (-1 = any), table JSON without revision,
     * history entry JSON without revision and routes, history limit, channel, and the writer's
     * applied revision: a store holding less (Redis came back empty and nobody has restored yet)
     * counts as holding that, so revisions never go backwards.
     * Returns {1, rev} when written, {0, stored} on a conflict, {2, stored} when nothing changed.
     */
    static final String WRITE = String.join("\n",
            "local stored = math.max(tonumber(redis.call('GET', KEYS[1]) or '0'), tonumber(ARGV[6]))",
            "local expected = tonumber(ARGV[1])",
            "if expected >= 0 and expected ~= stored then return {0, stored} end",
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
}
