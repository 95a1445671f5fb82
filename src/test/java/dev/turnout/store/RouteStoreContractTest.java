package dev.turnout.store;

import static dev.turnout.testing.Fixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.route.ModelVersion;
import dev.turnout.route.RouteCodec;
import dev.turnout.route.RouteTable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The {@link RouteStore} contract; every implementation runs this same suite. */
abstract class RouteStoreContractTest {

    static final RouteTable SEED = RouteCodec.fromYaml(String.join("\n",
            "versions:",
            "  v1: { url: 'http://127.0.0.1:1/v1' }",
            "  v2: { url: 'http://127.0.0.1:2/v1' }",
            "aliases:",
            "  bot: { split: { v1: 90, v2: 10 } }",
            ""));

    protected final Vertx vertx = Vertx.vertx();
    private final List<RouteStore> opened = new ArrayList<>();

    /** A new store on the same backing storage as the others of this test. */
    protected abstract RouteStore newStore(int historyLimit);

    protected RouteStore started(int historyLimit) {
        RouteStore store = newStore(historyLimit);
        opened.add(store);
        await(store.start(SEED));
        return store;
    }

    @AfterEach
    void closeStores() {
        opened.forEach(store -> await(store.close().otherwiseEmpty()));
        await(vertx.close());
    }

    static RouteTable withWeight(RouteTable table, double v2) {
        return table.withAliases(Map.of("bot", table.alias("bot").withSplit(Map.of("v1", 90.0, "v2", v2))));
    }

    static <T> Throwable failure(Future<T> future) {
        try {
            future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("expected a failure");
    }

    @Test
    void shouldStoreTheSeedAsRevisionOne() {
        RouteStore store = started(10);
        assertThat(store.current().revision()).isEqualTo(1);
        assertThat(store.current().sameRoutesAs(SEED)).isTrue();
        Revision first = await(store.revision(1));
        assertThat(first.change().action()).isEqualTo("seed");
    }

    @Test
    void shouldWriteTheNextRevisionWhenTheExpectedOneMatches() {
        RouteStore store = started(10);
        RouteTable written = await(store.write(withWeight(store.current(), 50), 1, new ChangeInfo("alice", "ramp", "patch")));
        assertThat(written.revision()).isEqualTo(2);
        assertThat(store.current()).isEqualTo(written);
        assertThat(store.current().alias("bot").split().get("v2")).isEqualTo(50.0);
    }

    @Test
    void shouldRefuseAStaleWriteAndChangeNothing() {
        RouteStore store = started(10);
        await(store.write(withWeight(store.current(), 50), 1, new ChangeInfo("alice", null, null)));
        Throwable conflict = failure(store.write(withWeight(store.current(), 70), 1, new ChangeInfo("bob", null, null)));
        assertThat(conflict).isInstanceOfSatisfying(RevisionConflictException.class, e -> {
            assertThat(e.expected()).isEqualTo(1);
            assertThat(e.actual()).isEqualTo(2);
        });
        assertThat(store.current().revision()).isEqualTo(2);
        assertThat(store.current().alias("bot").split().get("v2")).isEqualTo(50.0);
        assertThat(await(store.history(10)).revisions()).hasSize(2);
    }

    @Test
    void shouldWriteUnconditionallyWithAnyRevision() {
        RouteStore store = started(10);
        await(store.write(withWeight(store.current(), 20), RouteStore.ANY_REVISION, new ChangeInfo(null, null, null)));
        RouteTable written = await(store.write(withWeight(store.current(), 30), RouteStore.ANY_REVISION, new ChangeInfo(null, null, null)));
        assertThat(written.revision()).isEqualTo(3);
    }

    @Test
    void shouldNotCountAWriteThatChangesNothing() {
        RouteStore store = started(10);
        RouteTable same = await(store.write(SEED.withRevision(99), 1, new ChangeInfo("alice", null, null)));
        assertThat(same.revision()).isEqualTo(1);
        assertThat(await(store.history(10)).revisions()).hasSize(1);
    }

    @Test
    void shouldKeepHistoryNewestFirstTrimmedToTheLimit() {
        RouteStore store = started(3);
        for (int weight = 1; weight <= 4; weight++) {
            await(store.write(withWeight(store.current(), weight), store.current().revision(),
                    new ChangeInfo("user-" + weight, "step " + weight, "patch")));
        }
        List<Revision> history = await(store.history(10)).revisions();
        assertThat(history).extracting(Revision::revision).containsExactly(5L, 4L, 3L);
        assertThat(history).extracting(Revision::change).containsExactly(new ChangeInfo("user-4", "step 4", "patch"),
                new ChangeInfo("user-3", "step 3", "patch"), new ChangeInfo("user-2", "step 2", "patch"));
        assertThat(history.get(0).time()).isAfterOrEqualTo(history.get(1).time()).isBeforeOrEqualTo(Instant.now());
        assertThat(history.get(0).table().alias("bot").split().get("v2")).isEqualTo(4.0);
        assertThat(await(store.history(1)).revisions()).hasSize(1);
        assertThat(await(store.revision(3)).table().alias("bot").split().get("v2")).isEqualTo(2.0);
        assertThat(failure(store.revision(1))).isInstanceOf(RevisionNotFoundException.class);
    }

    @Test
    void shouldNotifyListenersAfterTheNewTableIsCurrent() {
        RouteStore store = started(10);
        CompletableFuture<Long> seenByListener = new CompletableFuture<>();
        store.onApplied(table -> seenByListener.complete(store.current().revision()));
        await(store.write(withWeight(store.current(), 50), 1, new ChangeInfo(null, null, null)));
        assertThat(seenByListener).succeedsWithin(Duration.ofSeconds(10)).isEqualTo(2L);
    }

    @Test
    void shouldLetExactlyOneOfConcurrentWritersWin() {
        RouteStore store = started(10);
        List<Future<RouteTable>> writes = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            writes.add(store.write(withWeight(store.current(), 20 + i), 1, new ChangeInfo("writer-" + i, null, null)));
        }
        int won = 0;
        int conflicted = 0;
        for (Future<RouteTable> write : writes) {
            try {
                write.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
                won++;
            } catch (java.util.concurrent.ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(RevisionConflictException.class);
                conflicted++;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
        assertThat(won).isEqualTo(1);
        assertThat(conflicted).isEqualTo(7);
        assertThat(store.current().revision()).isEqualTo(2);
    }

    @Test
    void shouldNotReseedWhenStartedAgain() {
        RouteStore store = started(10);
        await(store.write(withWeight(store.current(), 50), 1, new ChangeInfo(null, null, null)));
        RouteStore again = onSameStorage(store);
        if (again != store) opened.add(again);
        RouteTable loaded = await(again.start(withWeight(SEED, 5)));
        assertThat(loaded.revision()).isEqualTo(2);
        assertThat(again.current().alias("bot").split().get("v2")).isEqualTo(50.0);
        assertThat(await(again.history(10)).revisions()).extracting(Revision::revision).containsExactly(2L, 1L);
    }

    @Test
    void shouldNotCountTheSameRoutesInAnotherOrderAsAChange() {
        RouteStore store = started(10);
        RouteTable seed = store.current();
        Map<String, ModelVersion> reversed = new LinkedHashMap<>();
        reversed.put("v2", seed.version("v2"));
        reversed.put("v1", seed.version("v1"));
        RouteTable reordered = RouteTable.of(0, reversed, seed.aliases(), seed.clients());
        assertThat(RouteCodec.toJson(reordered.withRevision(1))).isNotEqualTo(RouteCodec.toJson(seed));
        RouteTable same = await(store.write(reordered, 1, new ChangeInfo("alice", null, null)));
        assertThat(same.revision()).isEqualTo(1);
        assertThat(await(store.history(10)).revisions()).hasSize(1);
    }

    @Test
    void shouldReturnTheFullTableOfAKeptRevision() {
        RouteStore store = started(10);
        RouteTable written = await(store.write(withWeight(store.current(), 50), 1, new ChangeInfo("alice", "ramp", "patch")));
        await(store.write(withWeight(store.current(), 60), 2, new ChangeInfo("bob", null, null)));
        Revision second = await(store.revision(2));
        assertThat(second.table()).isEqualTo(written);
        assertThat(second.change()).isEqualTo(new ChangeInfo("alice", "ramp", "patch"));
        assertThat(failure(store.revision(4))).isInstanceOf(RevisionNotFoundException.class).hasMessageContaining("4");
    }

    @Test
    void shouldApplyAnEditToTheStoredTableAndJudgeTheExpectedRevisionThere() {
        RouteStore store = started(10);
        RouteTable edited = await(store.update(RouteStore.ANY_REVISION, table -> withWeight(table, 40), new ChangeInfo(null, null, null)));
        assertThat(edited.revision()).isEqualTo(2);
        Throwable stale = failure(store.update(1, table -> withWeight(table, 50), new ChangeInfo(null, null, null)));
        assertThat(stale).isInstanceOfSatisfying(RevisionConflictException.class, e -> assertThat(e.actual()).isEqualTo(2));
        Throwable refused = failure(store.update(RouteStore.ANY_REVISION, table -> {
            throw new IllegalArgumentException("the edit refuses");
        }, new ChangeInfo(null, null, null)));
        assertThat(refused).hasMessage("the edit refuses");
        assertThat(await(store.update(2, table -> withWeight(table, 50), new ChangeInfo(null, null, null))).revision()).isEqualTo(3);
        assertThat(await(store.history(10)).revisions()).extracting(Revision::revision).containsExactly(3L, 2L, 1L);
    }

    @Test
    void shouldCompleteWhenAppliedOnceTheRevisionIsServed() {
        RouteStore store = started(10);
        Future<RouteTable> later = store.whenApplied(2);
        assertThat(later.isComplete()).isFalse();
        assertThat(await(store.whenApplied(1)).revision()).isEqualTo(1);
        await(store.write(withWeight(store.current(), 50), 1, new ChangeInfo(null, null, null)));
        assertThat(await(later).revision()).isEqualTo(2);
    }

    /** The store to start again on the storage {@code store} uses: memory keeps it in the instance. */
    protected RouteStore onSameStorage(RouteStore store) {
        return store;
    }
}
