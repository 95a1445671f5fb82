package dev.turnout.golden;

import static dev.turnout.testing.Fixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The {@link GoldenSetStore} contract; every implementation runs this same suite. */
abstract class GoldenSetStoreContractTest {

    protected final Vertx vertx = Vertx.vertx();
    protected GoldenSetStore store;

    protected abstract GoldenSetStore newStore();

    static GoldenSet set(String name, String... answers) {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < answers.length; i++) {
            body.append("{\"id\": \"q").append(i).append("\", \"messages\": [{\"role\": \"user\", \"content\": \"question ").append(i)
                    .append("\"}], \"params\": {\"temperature\": 0}, \"check\": {\"kind\": \"exact\", \"value\": \"").append(answers[i])
                    .append("\"}}\n");
        }
        return GoldenSets.parse(name, body.toString(), true);
    }

    static Throwable failure(Future<?> future) {
        try {
            future.toCompletionStage().toCompletableFuture().get();
        } catch (Exception e) {
            return e.getCause();
        }
        throw new AssertionError("succeeded: " + future.result());
    }

    @BeforeEach
    void open() {
        store = newStore();
    }

    @AfterEach
    void closeAll() {
        await(store.close());
        await(vertx.close());
    }

    @Test
    void putGetListAndDelete() {
        assertThat(await(store.list())).isEmpty();
        assertThat(await(store.get("nope"))).isEmpty();

        await(store.put(set("b-set", "1", "2")));
        await(store.put(set("a-set", "x")));

        assertThat(await(store.get("b-set"))).isEqualTo(Optional.of(set("b-set", "1", "2")));
        assertThat(await(store.list())).containsExactly("a-set", "b-set");
        assertThat(await(store.delete("a-set"))).isTrue();
        assertThat(await(store.delete("a-set"))).isFalse();
        assertThat(await(store.list())).containsExactly("b-set");
        assertThat(await(store.get("a-set"))).isEmpty();
    }

    @Test
    void putReplacesASetOfTheSameName() {
        await(store.put(set("s", "old")));
        await(store.put(set("s", "new", "newer")));

        assertThat(await(store.get("s")).orElseThrow().items()).hasSize(2);
        assertThat(await(store.list())).containsExactly("s");
    }

    @Test
    void holdsAtMostMaxSets() {
        List<Future<Void>> puts = new java.util.ArrayList<>();
        for (int i = 0; i < GoldenSetStore.MAX_SETS; i++) puts.add(store.put(set(String.format("s%04d", i), "x")));
        await(Future.all(puts));

        Throwable full = failure(store.put(set("one-more", "x")));

        assertThat(full).isInstanceOf(InvalidGoldenSetException.class);
        assertThat(((InvalidGoldenSetException) full).problems()).singleElement().asString()
                .startsWith("name: 'one-more' would be set number 1001");
        await(store.put(set("s0000", "replaced")));
        assertThat(await(store.list())).hasSize(GoldenSetStore.MAX_SETS).first().isEqualTo("s0000");
    }
}
