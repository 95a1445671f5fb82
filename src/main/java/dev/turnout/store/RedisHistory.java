package dev.turnout.store;

import dev.turnout.route.RouteTable;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The history list in Redis ({@code {prefix}:history}, newest first), read entry by entry so one
 * garbled entry is skipped and counted instead of failing the whole read; and the newest
 * revisions this instance keeps in memory (at most {@link #KEPT}, at most {@link #KEPT_CHARS} of
 * JSON), so that when Redis comes back empty a rollback still finds the revisions before.
 */
final class RedisHistory {

    static final int KEPT = 50;
    private static final long KEPT_CHARS = 8L << 20;

    private record Kept(long revision, String entry) {}

    private final String key;
    private final int limit;
    private final ArrayDeque<Kept> kept = new ArrayDeque<>(); // newest first; guarded by this
    private long keptChars;

    RedisHistory(String key, int limit) {
        this.key = key;
        this.limit = limit;
    }

    String key() {
        return key;
    }

    CompletionStage<History> read(RedisClusterAsyncCommands<String, String> commands, int count) {
        return commands.lrange(key, 0, Math.min(count, limit) - 1L).thenApply(RedisHistory::parse);
    }

    static History parse(List<String> entries) {
        List<Revision> revisions = new ArrayList<>();
        int skipped = 0;
        for (String entry : entries) {
            try {
                revisions.add(RedisDocuments.revision(entry));
            } catch (RuntimeException garbled) {
                skipped++;
            }
        }
        long newest = entries.isEmpty() ? 0 : RedisDocuments.leadingRevision(entries.get(0));
        if (newest < 0) newest = revisions.isEmpty() ? 0 : revisions.get(0).revision();
        return new History(revisions, skipped, newest);
    }

    CompletionStage<Revision> find(RedisClusterAsyncCommands<String, String> commands, long revision) {
        return commands.lrange(key, 0, limit - 1L).thenApply(entries -> {
            for (String entry : entries) {
                if (!RedisDocuments.isEntryOf(entry, revision)) continue;
                try {
                    return RedisDocuments.revision(entry);
                } catch (RuntimeException garbled) {
                    throw new RevisionNotFoundException(revision, "its entry in " + key + " is unreadable ("
                            + garbled.getMessage() + ")");
                }
            }
            throw new RevisionNotFoundException(revision);
        });
    }

    /** Reads the newest stored entries into memory, keeping only the readable ones. */
    CompletionStage<Void> refresh(RedisClusterAsyncCommands<String, String> commands) {
        return commands.lrange(key, 0, KEPT - 1L).thenAccept(entries -> {
            for (String entry : entries) {
                try {
                    remember(RedisDocuments.revision(entry).revision(), entry);
                } catch (RuntimeException garbled) {
                    // Not worth keeping: a rollback could not use it either.
                }
            }
        });
    }

    /** Keeps one readable entry, in revision order; the oldest go first when over a bound. */
    synchronized void remember(long revision, String entry) {
        Iterator<Kept> newestFirst = kept.iterator();
        List<Kept> newer = new ArrayList<>();
        while (newestFirst.hasNext()) {
            Kept next = newestFirst.next();
            if (next.revision() == revision) return;
            if (next.revision() < revision) break;
            newer.add(next);
        }
        // Usually the newest, added at the head; an older one (read back from Redis) goes in its place.
        for (int i = 0; i < newer.size(); i++) kept.removeFirst();
        kept.addFirst(new Kept(revision, entry));
        for (int i = newer.size() - 1; i >= 0; i--) kept.addFirst(newer.get(i));
        keptChars += entry.length();
        while (kept.size() > KEPT || keptChars > KEPT_CHARS && kept.size() > 1) {
            keptChars -= kept.removeLast().entry().length();
        }
    }

    synchronized int keptCount() {
        return kept.size();
    }

    /** The RESTORE script's arguments: {@code mine} and every kept revision up to it, from the 7th argument on. */
    synchronized String[] restoreArgs(RouteTable mine, String instanceId, String channel) {
        ChangeInfo change = new ChangeInfo("turnout:" + instanceId,
                "Redis lost the routes; restored revision " + mine.revision() + " from this instance", "restore");
        List<String> args = new ArrayList<>(List.of(Long.toString(mine.revision()), RedisDocuments.tableWithoutRevision(mine),
                RedisDocuments.entry(change, Instant.now()), Integer.toString(limit), channel, "0"));
        long oldest = mine.revision();
        for (Kept entry : kept) {
            if (entry.revision() > mine.revision()) continue;
            args.add(entry.entry());
            oldest = entry.revision();
        }
        args.set(5, Long.toString(oldest));
        return args.toArray(String[]::new);
    }
}
