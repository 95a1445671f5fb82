package dev.turnout.store;

import dev.turnout.route.RouteTable;
import java.time.Instant;

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
     * Returns {1, rev} when written, {0, stored} on a conflict, {2, stored} when nothing changed,
     * {3, -1} when the stored revision is not a number (only an unconditional write, which
     * replaces it, may go on). The newest history entry's revision also counts as stored, so a
     * lost or garbled revision key never lets a revision number be used twice. The new entry,
     * routes included, is what is published: subscribers keep it as history without a read.
     */
    static final String WRITE = String.join("\n",
            "local raw = redis.pcall('GET', KEYS[1])",
            "local actual = 0",
            "if raw then",
            "  if type(raw) == 'string' and #raw <= 15 and string.match(raw, '^%d+$') then actual = tonumber(raw)",
            "  elseif tonumber(ARGV[1]) >= 0 then return {3, -1} end",
            "end",
            "local stored = math.max(actual, tonumber(ARGV[6]))",
            "local listed = redis.call('TYPE', KEYS[3]).ok == 'list'",
            "if listed then",
            "  local head = redis.call('LINDEX', KEYS[3], 0)",
            "  local n = head and string.match(head, '^{\"revision\":(%d+),')",
            "  if n and #n <= 15 then stored = math.max(stored, tonumber(n)) end",
            "end",
            "local expected = tonumber(ARGV[1])",
            "if expected >= 0 and expected ~= stored then return {0, stored} end",
            "if actual > 0 and tonumber(ARGV[7]) == actual then return {2, stored} end",
            // The writer's view was stale: fall back to comparing the stored document itself.
            "local current = redis.pcall('GET', KEYS[2])",
            "if type(current) == 'string' then",
            "  local comma = string.find(current, ',', 1, true)",
            "  if comma and string.sub(current, comma + 1) == string.sub(ARGV[2], 2) then return {2, stored} end",
            "end",
            "local rev = stored + 1",
            "local doc = '{\"revision\":' .. rev .. ',' .. string.sub(ARGV[2], 2)",
            "local entry = '{\"revision\":' .. rev .. ',\"routes\":' .. doc .. ',' .. string.sub(ARGV[3], 2)",
            "redis.call('SET', KEYS[1], rev)",
            "redis.call('SET', KEYS[2], doc)",
            // Something that is not a list cannot hold history: replaced, like a garbled revision.
            "if not listed then redis.call('DEL', KEYS[3]) end",
            "redis.call('LPUSH', KEYS[3], entry)",
            "redis.call('LTRIM', KEYS[3], 0, tonumber(ARGV[4]) - 1)",
            "if redis.call('TYPE', KEYS[4]).ok ~= 'hash' then redis.call('DEL', KEYS[4]) end",
            "redis.call('HSET', KEYS[4], ARGV[8], '{\"appliedRevision\":' .. rev .. ',\"heartbeat\":' .. ARGV[9] .. '}')",
            "redis.call('PUBLISH', ARGV[5], entry)",
            "return {1, rev}");

    /**
     * Puts back what an instance still holds after Redis lost its data: the table it serves,
     * keeping its revision so revisions never go backwards, and the revisions it kept in memory,
     * so a rollback still finds them. Only writes when the store holds an older revision (or
     * none; never over a garbled one, which an operator must look at): when several instances
     * race, the newest table wins. History entries older than the oldest kept one stay.
     * KEYS: rev, table, history. ARGV: [1] revision, [2] table JSON without revision, [3] history
     * entry JSON without revision and routes, [4] history limit, [5] channel, [6] the oldest kept
     * revision, [7...] the kept entries, newest first. Returns {1, rev} or {0, stored}.
     */
    static final String RESTORE = String.join("\n",
            "local raw = redis.pcall('GET', KEYS[1])",
            "local stored = 0",
            "if raw then",
            "  if type(raw) ~= 'string' or #raw > 15 or not string.match(raw, '^%d+$') then return {0, -1} end",
            "  stored = tonumber(raw)",
            "end",
            "local rev = tonumber(ARGV[1])",
            "if stored >= rev then return {0, stored} end",
            "local older = {}",
            "if redis.call('TYPE', KEYS[3]).ok == 'list' then",
            "  for _, e in ipairs(redis.call('LRANGE', KEYS[3], 0, -1)) do",
            "    local n = string.match(e, '^{\"revision\":(%d+),')",
            "    if n and #n <= 15 and tonumber(n) < tonumber(ARGV[6]) then older[#older + 1] = e end",
            "  end",
            "end",
            "redis.call('DEL', KEYS[3])",
            "for i = 1, #older do redis.call('RPUSH', KEYS[3], older[i]) end",
            "for i = #ARGV, 7, -1 do redis.call('LPUSH', KEYS[3], ARGV[i]) end",
            "local doc = '{\"revision\":' .. rev .. ',' .. string.sub(ARGV[2], 2)",
            "local entry = '{\"revision\":' .. rev .. ',\"routes\":' .. doc .. ',' .. string.sub(ARGV[3], 2)",
            "redis.call('LPUSH', KEYS[3], entry)",
            "redis.call('LTRIM', KEYS[3], 0, tonumber(ARGV[4]) - 1)",
            "redis.call('SET', KEYS[1], rev)",
            "redis.call('SET', KEYS[2], doc)",
            "redis.call('PUBLISH', ARGV[5], entry)",
            "return {1, rev}");

    /** {@link #WRITE}'s ARGV, in its order. */
    static String[] writeArgs(RouteTable table, long expected, ChangeInfo change, Instant now, int historyLimit, String channel,
                              long appliedRevision, long sameRoutesAs, String instanceId) {
        return new String[] {Long.toString(expected), RedisDocuments.tableWithoutRevision(table), RedisDocuments.entry(change, now),
                Integer.toString(historyLimit), channel, Long.toString(appliedRevision), Long.toString(sameRoutesAs), instanceId,
                Long.toString(now.toEpochMilli())};
    }

    static final String WRITE_SHA = RedisCalls.sha1(WRITE);
    static final String RESTORE_SHA = RedisCalls.sha1(RESTORE);
}
