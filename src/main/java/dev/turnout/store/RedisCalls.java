package dev.turnout.store;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.codec.Base16;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * Lettuce calls as Vert.x futures completed on the store's context (Lettuce completes on its own
 * threads), with Redis's failures turned into what the admin API tells apart: unreachable (503,
 * retry later) or corrupt (a value of the wrong type: someone must repair it).
 */
public final class RedisCalls {

    private final Context context;
    private final String prefix;
    private final RedisLink link;
    private Future<RedisClusterAsyncCommands<String, String>> connecting; // guarded by this

    public RedisCalls(Context context, String prefix, RedisLink link) {
        this.context = context;
        this.prefix = prefix;
        this.link = link;
    }

    /**
     * The link's commands, connecting on first use (for stores with no start step). One attempt at a
     * time: the link replaces its connection on every connect, so concurrent first calls would close
     * each other's. A failed attempt is forgotten, so the next call tries again.
     */
    public synchronized Future<RedisClusterAsyncCommands<String, String>> commands() {
        RedisClusterAsyncCommands<String, String> commands = link.commands();
        if (commands != null) return Future.succeededFuture(commands);
        if (connecting == null || connecting.failed()) connecting = bridge(link.connect());
        return connecting;
    }

    /** Closes the link on a worker thread: closing waits for Lettuce's threads to stop, never an event loop's job. */
    public Future<Void> closeLink() {
        return context.executeBlocking(() -> {
            link.close();
            return null;
        });
    }

    /** Every outcome also goes to the link, which replaces connections that only time out. */
    public <T> Future<T> bridge(CompletionStage<T> stage) {
        return Future.fromCompletionStage(stage, context).onComplete(done -> link.answered(done.cause()))
                .recover(error -> Future.failedFuture(failure(error)));
    }

    /** What EVALSHA names a script by: the hex SHA-1 of its text, as Redis computes it. */
    public static String sha1(String script) {
        return Base16.digest(script.getBytes(StandardCharsets.UTF_8));
    }

    /** EVALSHA sends 40 bytes instead of the script; Redis answers NOSCRIPT once after a restart (per node). */
    public Future<List<Object>> script(RedisClusterAsyncCommands<String, String> commands, String sha, String script,
                                String[] keys, String[] args) {
        return Future.fromCompletionStage(commands.<List<Object>>evalsha(sha, ScriptOutputType.MULTI, keys, args), context)
                .onComplete(done -> link.answered(done.cause()))
                .recover(error -> isNoScript(error)
                        ? bridge(commands.<List<Object>>eval(script, ScriptOutputType.MULTI, keys, args))
                        : Future.failedFuture(failure(error)));
    }

    private static boolean isNoScript(Throwable error) {
        return error.getMessage() != null && error.getMessage().startsWith("NOSCRIPT");
    }

    public Throwable failure(Throwable failed) {
        // A stage composed on Lettuce's future wraps what failed it (or what its function threw).
        Throwable error = failed instanceof CompletionException && failed.getCause() != null ? failed.getCause() : failed;
        if (error instanceof StoreUnavailableException || error instanceof StoreCorruptException
                || error instanceof RevisionNotFoundException) {
            return error;
        }
        String message = String.valueOf(error.getMessage());
        if (message.startsWith("WRONGTYPE")) {
            return new StoreCorruptException("a key under {" + prefix + "} holds the wrong kind of value (" + message
                    + "); PUT /admin/routes without If-Match rewrites the routes keys");
        }
        return new StoreUnavailableException("Redis command failed: " + message, error);
    }
}
