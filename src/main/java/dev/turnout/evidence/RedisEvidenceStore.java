package dev.turnout.evidence;

import static java.util.Objects.requireNonNull;

import dev.turnout.store.RedisCalls;
import dev.turnout.store.RedisLink;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Evidence in Redis: per step, the hash {@code {prefix}:rollout:<rolloutId>:evidence:<stepKey>}
 * (the route store's hash tag, so it lives in the same cluster slot), one field per instance run
 * holding that run's encoded evidence. Each publish sets the field and the key's time to live in
 * one script, so a step nobody publishes any more disappears by itself.
 *
 * <p>Reads are bounded on Redis's side, in a script: at most {@link #MAX_FIELDS} fields, and only
 * values no longer than {@link EvidenceCodec#MAX_CHARS} bytes come back; what is left out is
 * counted in {@link #skipped()}, as is every value that does not decode. Decoding and merging run
 * on a worker thread (up to 1024 entries may take tens of milliseconds); every future completes
 * on {@code context}. Failures are the route store's: {@code StoreUnavailableException} when
 * Redis cannot be reached.
 *
 * <p>The link belongs to the caller: it is connected on first use if it is not yet, and
 * {@link #close()} leaves it open.
 */
public final class RedisEvidenceStore implements EvidenceStore {

    static final int MAX_FIELDS = 1024;

    /**
     * KEYS: the step's hash. ARGV: [1] run id, [2] encoded evidence, [3] time to live in ms.
     * Something that is not a hash under the key cannot hold evidence: replaced.
     */
    private static final String PUBLISH = String.join("\n",
            "local kind = redis.call('TYPE', KEYS[1]).ok",
            "if kind ~= 'hash' and kind ~= 'none' then redis.call('DEL', KEYS[1]) end",
            "redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])",
            "redis.call('PEXPIRE', KEYS[1], ARGV[3])",
            "return {1}");

    /**
     * KEYS: the step's hash. ARGV: [1] most fields to read, [2] longest value in bytes.
     * Returns {fields in the hash, values left out for their length, value, value, ...}; a key
     * that is not a hash counts as one field, left out.
     */
    private static final String READ = String.join("\n",
            "local kind = redis.call('TYPE', KEYS[1]).ok",
            "if kind == 'none' then return {0, 0} end",
            "if kind ~= 'hash' then return {1, 1} end",
            "local most, longest = tonumber(ARGV[1]), tonumber(ARGV[2])",
            "local out = {redis.call('HLEN', KEYS[1]), 0}",
            "local taken, long, cursor = 0, 0, '0'",
            "repeat",
            "  local page = redis.call('HSCAN', KEYS[1], cursor, 'COUNT', 256)",
            "  cursor = page[1]",
            "  local items = page[2]",
            "  for i = 2, #items, 2 do",
            "    if taken < most then",
            "      taken = taken + 1",
            "      if #items[i] <= longest then out[#out + 1] = items[i] else long = long + 1 end",
            "    end",
            "  end",
            "until cursor == '0' or taken >= most",
            "out[2] = long",
            "return out");

    private static final String PUBLISH_SHA = RedisCalls.sha1(PUBLISH);
    private static final String READ_SHA = RedisCalls.sha1(READ);

    private final Context context;
    private final String tag;
    private final RedisLink link;
    private final RedisCalls calls;
    private final AtomicLong skipped = new AtomicLong();

    public RedisEvidenceStore(Context context, String prefix, RedisLink link) {
        this.context = requireNonNull(context, "context");
        this.tag = "{" + requireNonNull(prefix, "prefix") + "}";
        this.link = requireNonNull(link, "link");
        this.calls = new RedisCalls(context, prefix, link);
    }

    /** The step's hash; public so operators and tests can find it. */
    public String key(StepRef ref) {
        return tag + ":rollout:" + ref.rolloutId() + ":evidence:" + ref.stepKey();
    }

    @Override
    public Future<Void> publish(StepRef ref, String runId, String encoded, Duration ttl) {
        requireNonNull(ref, "ref");
        requireNonNull(runId, "runId");
        requireNonNull(encoded, "encoded");
        if (ttl.toMillis() < 1) throw new IllegalArgumentException("ttl must be at least 1 ms, got " + ttl);
        return calls.commands().compose(commands -> calls.script(commands, PUBLISH_SHA, PUBLISH, new String[] {key(ref)},
                new String[] {runId, encoded, Long.toString(ttl.toMillis())})).mapEmpty();
    }

    @Override
    public Future<StepEvidence> read(StepRef ref) {
        requireNonNull(ref, "ref");
        return calls.commands()
                .compose(commands -> calls.script(commands, READ_SHA, READ, new String[] {key(ref)},
                        new String[] {Integer.toString(MAX_FIELDS), Integer.toString(EvidenceCodec.MAX_CHARS)}))
                .compose(reply -> context.executeBlocking(() -> merge(reply), false));
    }

    private StepEvidence merge(List<Object> reply) {
        long fields = (Long) reply.get(0);
        long tooLong = (Long) reply.get(1);
        int values = reply.size() - 2;
        skipped.addAndGet(tooLong + Math.max(0, fields - values - tooLong));
        StepEvidence merged = StepEvidence.EMPTY;
        for (Object value : reply.subList(2, reply.size())) {
            try {
                merged = merged.merge(StepEvidence.decode((String) value));
            } catch (IllegalArgumentException | ArithmeticException e) {
                skipped.incrementAndGet();
            }
        }
        return merged;
    }


    @Override
    public long skipped() {
        return skipped.get();
    }

    @Override
    public Future<Void> close() {
        return Future.succeededFuture();
    }
}
