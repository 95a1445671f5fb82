package dev.turnout.rollout.store;

import dev.turnout.store.RedisCalls;

/**
 * The Lua scripts behind every rollout mutation: each compares and writes in one atomic step, so
 * two instances never both create for one alias, and a fenced-out leader's write is judged against
 * the lease as it is at that instant. Keys share the {@code {prefix}} hash tag (one cluster slot).
 *
 * <p>Every script first checks each key's type and answers {@link #WRONG_TYPE} with the key's
 * position instead of failing inside Redis, whose script error would read as an outage rather
 * than as something to repair. Replies are {code, value}; the codes are the constants below.
 */
final class RolloutScripts {

    static final long CONFLICT = 0;
    static final long DONE = 1;
    static final long ALIAS_BUSY = 2;
    static final long FENCED_OUT = 3;
    static final long ALL_ACTIVE = 4;
    static final long GARBLED = 5;
    static final long INDEX_TOO_BIG = 8;
    static final long WRONG_TYPE = 9;

    private RolloutScripts() {}

    private static String types(String... kinds) {
        return String.join("\n",
                "local kinds = {'" + String.join("', '", kinds) + "'}",
                "for i = 1, #kinds do",
                "  local t = redis.call('TYPE', KEYS[i]).ok",
                "  if t ~= 'none' and t ~= kinds[i] then return {" + WRONG_TYPE + ", i} end",
                "end");
    }

    /**
     * The id of another active rollout on alias ARGV[aliasArg] (nil if none; '' means inactive,
     * nothing to check), or false when the index holds more than ARGV[maxArg] entries: reading an
     * index grown past every bound would stall Redis for everyone.
     */
    private static String holder(int aliasArg, int maxArg) {
        return String.join("\n",
                // Read as strictly as ActiveRollout.decode: an entry the instances skip holds no alias.
                "local function aliasOf(entry)",
                "  local alias, candidate, step = string.match(entry, '^([%w._:%-]+) ([%w._:%-]+) ([%w._%-]+)$')",
                "  if alias and #alias <= 128 and #candidate <= 128 and #step <= 64 then return alias end",
                "  return nil",
                "end",
                "local function holder(id)",
                "  if ARGV[" + aliasArg + "] == '' then return nil end",
                "  if redis.call('HLEN', KEYS[3]) > tonumber(ARGV[" + maxArg + "]) then return false end",
                "  local entries = redis.call('HGETALL', KEYS[3])",
                "  for i = 1, #entries, 2 do",
                "    local other = entries[i]",
                "    if other ~= id and #other <= 64 and string.match(other, '^[%w._%-]+$')",
                "        and aliasOf(entries[i + 1]) == ARGV[" + aliasArg + "] then",
                "      return other",
                "    end",
                "  end",
                "  return nil",
                "end");
    }

    /** A stored revision, or nil when the field is missing or not a number Lua holds exactly. */
    private static final String REVISION = String.join("\n",
            "local function revision(id)",
            "  local raw = redis.call('HGET', KEYS[2], id)",
            "  if raw and #raw <= 15 and string.match(raw, '^%d+$') then return tonumber(raw) end",
            "  return nil",
            "end");

    /**
     * KEYS: docs, revs, active. ARGV: [1] id, [2] json, [3] active entry ('' = inactive), [4]
     * alias ('' = inactive), [5] the most rollouts stored. When full, deletes the oldest (smallest
     * id) that is not active, with its revision. Returns {1, 1}; {0, stored} if the id exists;
     * {5, 0} if it exists with a garbled revision; {2, other id}; {4, 0} when every stored one is
     * active; {8, 0} when the active index is over the bound.
     */
    static final String CREATE = String.join("\n",
            types("hash", "hash", "hash"),
            holder(4, 5),
            REVISION,
            "local id, max = ARGV[1], tonumber(ARGV[5])",
            "if redis.call('HEXISTS', KEYS[1], id) == 1 then",
            "  local stored = revision(id)",
            "  if stored then return {" + CONFLICT + ", stored} end",
            "  return {" + GARBLED + ", 0}",
            "end",
            "local busy = holder(id)",
            "if busy == false then return {" + INDEX_TOO_BIG + ", 0} end",
            "if busy then return {" + ALIAS_BUSY + ", busy} end",
            "local count = redis.call('HLEN', KEYS[1])",
            "if count >= max then",
            "  local ids = redis.call('HKEYS', KEYS[1])",
            "  table.sort(ids)",
            "  for _, old in ipairs(ids) do",
            "    if count < max then break end",
            "    if redis.call('HEXISTS', KEYS[3], old) == 0 then",
            "      redis.call('HDEL', KEYS[1], old)",
            "      redis.call('HDEL', KEYS[2], old)",
            "      count = count - 1",
            "    end",
            "  end",
            "  if count >= max then return {" + ALL_ACTIVE + ", 0} end",
            "end",
            "redis.call('HSET', KEYS[1], id, ARGV[2])",
            "redis.call('HSET', KEYS[2], id, 1)",
            // A leftover entry for an id no document had must not make the new rollout look active.
            "if ARGV[3] ~= '' then redis.call('HSET', KEYS[3], id, ARGV[3]) else redis.call('HDEL', KEYS[3], id) end",
            "return {" + DONE + ", 1}");

    /**
     * KEYS: docs, revs, active, lease. ARGV: [1] id, [2] expected revision, [3] json, [4] active
     * entry ('' = ended: removed from the index), [5] alias ('' when ended), [6] fence ('0' = an
     * operator's write), [7] the most active entries. Returns {1, new revision}; {3, 0} when the
     * fence is not the lease's token; {0, stored} on a revision mismatch (0: not stored); {5, 0}
     * when the stored revision is garbled; {2, other id}; {8, 0}.
     */
    static final String WRITE = String.join("\n",
            types("hash", "hash", "hash", "string"),
            holder(5, 7),
            REVISION,
            "local id = ARGV[1]",
            "if ARGV[6] ~= '0' then",
            "  local lease = redis.call('GET', KEYS[4])",
            "  if not lease or string.match(lease, '^(%d+) ') ~= ARGV[6] then return {" + FENCED_OUT + ", 0} end",
            "end",
            "if redis.call('HEXISTS', KEYS[1], id) == 0 then return {" + CONFLICT + ", 0} end",
            "local stored = revision(id)",
            "if not stored then return {" + GARBLED + ", 0} end",
            "if stored ~= tonumber(ARGV[2]) then return {" + CONFLICT + ", stored} end",
            "local busy = holder(id)",
            "if busy == false then return {" + INDEX_TOO_BIG + ", 0} end",
            "if busy then return {" + ALIAS_BUSY + ", busy} end",
            "redis.call('HSET', KEYS[1], id, ARGV[3])",
            "redis.call('HSET', KEYS[2], id, stored + 1)",
            "if ARGV[4] ~= '' then redis.call('HSET', KEYS[3], id, ARGV[4]) else redis.call('HDEL', KEYS[3], id) end",
            "return {" + DONE + ", stored + 1}");

    /**
     * KEYS: lease, fence. ARGV: [1] owner, [2] ttl in ms. The owner's lease is renewed with its
     * token; a free lease (or one whose value is garbage) is taken with the next token. A missing
     * counter starts from Redis's clock in ms, so tokens keep growing even after Redis lost its data
     * (a leader from before the loss can never match a new token). Returns {1, token}, {0, 0}
     * when another owner holds the lease, {5, 0} when the counter is garbled.
     */
    static final String ACQUIRE = String.join("\n",
            types("string", "string"),
            "local current = redis.call('GET', KEYS[1])",
            "if current then",
            "  local token, holder = string.match(current, '^(%d+) (.*)$')",
            "  if token and #token <= 15 then",
            "    if holder ~= ARGV[1] then return {" + CONFLICT + ", 0} end",
            "    redis.call('PEXPIRE', KEYS[1], ARGV[2])",
            "    return {" + DONE + ", tonumber(token)}",
            "  end",
            "end",
            "local counter = redis.call('GET', KEYS[2])",
            "if counter and (#counter > 15 or not string.match(counter, '^%d+$')) then return {" + GARBLED + ", 0} end",
            "if not counter then",
            "  local now = redis.call('TIME')",
            "  redis.call('SET', KEYS[2], tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000))",
            "end",
            "local token = redis.call('INCR', KEYS[2])",
            "redis.call('SET', KEYS[1], token .. ' ' .. ARGV[1], 'PX', ARGV[2])",
            "return {" + DONE + ", token}");

    /** KEYS: lease. ARGV: [1] owner. Deletes the lease only if owner holds it. Returns {1, 0}. */
    static final String RELEASE = String.join("\n",
            types("string"),
            "local current = redis.call('GET', KEYS[1])",
            "if current and string.match(current, '^%d+ (.*)$') == ARGV[1] then redis.call('DEL', KEYS[1]) end",
            "return {" + DONE + ", 0}");

    static final String CREATE_SHA = RedisCalls.sha1(CREATE);
    static final String WRITE_SHA = RedisCalls.sha1(WRITE);
    static final String ACQUIRE_SHA = RedisCalls.sha1(ACQUIRE);
    static final String RELEASE_SHA = RedisCalls.sha1(RELEASE);

}
