package dev.turnout.golden;

import dev.turnout.store.RedisStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Optional;

/**
 * Where golden sets are kept, by name. The memory store answers at once; the Redis store completes
 * its futures on the Vert.x context it was created on, and parses stored sets on a worker.
 * Failures: {@link dev.turnout.store.StoreUnavailableException} when Redis cannot be reached;
 * {@link dev.turnout.store.StoreCorruptException} naming the key when a stored set does not parse
 * (it is read back as untrusted input); {@link InvalidGoldenSetException} from {@link #put} when
 * {@value #MAX_SETS} other sets are already stored.
 */
public interface GoldenSetStore {

    /** Sets kept at once, and so the most {@link #list} returns. */
    int MAX_SETS = 1000;

    /** Stores the set under its name, replacing any set of that name. */
    Future<Void> put(GoldenSet set);

    Future<Optional<GoldenSet>> get(String name);

    /** The stored names in lexicographic order, at most {@value #MAX_SETS}. */
    Future<List<String>> list();

    /** True when a set of that name was there. */
    Future<Boolean> delete(String name);

    Future<Void> close();

    /** Kept in this process only: what a gateway without Redis uses. */
    static GoldenSetStore memory() {
        return new MemoryGoldenSetStore();
    }

    /**
     * Kept in Redis, beside the routes (the same hash tag): {@code {prefix}:golden:<name>} holds the
     * set as JSONL ({@link GoldenSets#toJsonl}), {@code {prefix}:golden-sets} indexes the names.
     */
    static GoldenSetStore redis(Vertx vertx, RedisStoreOptions options) {
        return new RedisGoldenSetStore(vertx, options);
    }

    static InvalidGoldenSetException full(String name) {
        return new InvalidGoldenSetException(List.of("name: '" + name + "' would be set number " + (MAX_SETS + 1)
                + "; at most " + MAX_SETS + " sets are stored, delete one first"));
    }
}
