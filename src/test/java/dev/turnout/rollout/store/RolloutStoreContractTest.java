package dev.turnout.rollout.store;

import static dev.turnout.testing.Fixtures.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The {@link RolloutStore} contract; every implementation runs this same suite. */
abstract class RolloutStoreContractTest {

    protected final Vertx vertx = Vertx.vertx();
    private final List<RolloutStore> opened = new ArrayList<>();

    /** A new store on the same backing storage as the others of this test (memory: the same instance). */
    protected abstract RolloutStore newStore();

    /** Moves the lease's clock on by {@code duration}. */
    protected abstract void letTimePass(Duration duration);

    protected RolloutStore started() {
        RolloutStore store = newStore();
        opened.add(store);
        await(store.start());
        return store;
    }

    @AfterEach
    void closeStores() {
        opened.forEach(store -> await(store.close().otherwiseEmpty()));
        await(vertx.close());
    }

    static ActiveRollout active(String id, String alias, String step) {
        return new ActiveRollout(id, alias, "v2", step);
    }

    static Throwable failure(Future<?> future) {
        try {
            future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("expected a failure");
    }

    @Test
    void shouldCreateAtRevisionOneAndReadItBack() {
        RolloutStore store = started();
        StoredRollout created = await(store.create("r-001", "{\"a\":1}", active("r-001", "bot", "s1")));
        assertThat(created).isEqualTo(new StoredRollout("r-001", 1, "{\"a\":1}"));
        assertThat(await(store.get("r-001"))).contains(created);
        assertThat(await(store.get("r-404"))).isEmpty();
    }

    @Test
    void shouldListNewestFirstUpToTheLimit() {
        RolloutStore store = started();
        for (String id : List.of("r-002", "r-001", "r-003")) await(store.create(id, "{}", null));
        assertThat(await(store.list(10))).extracting(StoredRollout::id).containsExactly("r-003", "r-002", "r-001");
        assertThat(await(store.list(2))).extracting(StoredRollout::id).containsExactly("r-003", "r-002");
        assertThat(await(store.list(0))).isEmpty();
        assertThat(store.unreadable()).isZero();
    }

    @Test
    void shouldRefuseToCreateAnIdTwice() {
        RolloutStore store = started();
        await(store.create("r-001", "{}", null));
        await(store.write("r-001", 1, "{\"b\":2}", null, 0));
        assertThat(failure(store.create("r-001", "{}", null)))
                .isInstanceOfSatisfying(RolloutConflictException.class, e -> assertThat(e.storedRevision()).isEqualTo(2));
    }

    @Test
    void shouldWriteTheNextRevisionAndRefuseAStaleOneWithTheStoredRevision() {
        RolloutStore store = started();
        await(store.create("r-001", "{\"n\":1}", null));
        assertThat(await(store.write("r-001", 1, "{\"n\":2}", null, 0))).isEqualTo(new StoredRollout("r-001", 2, "{\"n\":2}"));
        assertThat(failure(store.write("r-001", 1, "{\"n\":3}", null, 0)))
                .isInstanceOfSatisfying(RolloutConflictException.class, e -> assertThat(e.storedRevision()).isEqualTo(2));
        assertThat(await(store.get("r-001")).orElseThrow().json()).isEqualTo("{\"n\":2}");
        assertThat(failure(store.write("r-404", 1, "{}", null, 0)))
                .isInstanceOfSatisfying(RolloutConflictException.class, e -> assertThat(e.storedRevision()).isZero());
    }

    @Test
    void shouldLetExactlyOneOfConcurrentCreatesForOneAliasWin() {
        List<RolloutStore> stores = List.of(started(), started());
        List<Future<StoredRollout>> creates = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String id = "r-00" + i;
            creates.add(stores.get(i % 2).create(id, "{}", active(id, "bot", "s1")));
        }
        List<String> won = new ArrayList<>();
        List<Throwable> refused = new ArrayList<>();
        for (Future<StoredRollout> create : creates) {
            try {
                won.add(create.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).id());
            } catch (ExecutionException e) {
                refused.add(e.getCause());
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
        assertThat(won).hasSize(1);
        assertThat(refused).hasSize(7).allSatisfy(e -> assertThat(e)
                .isInstanceOfSatisfying(AliasBusyException.class, busy -> assertThat(busy.existingId()).isEqualTo(won.get(0))));
        assertThat(await(stores.get(1).active())).containsExactly(active(won.get(0), "bot", "s1"));
        assertThat(await(stores.get(0).list(10))).extracting(StoredRollout::id).containsExactly(won.get(0));
    }

    @Test
    void shouldSetAndRemoveActiveEntriesWithTheWrites() {
        RolloutStore store = started();
        await(store.create("r-001", "{}", active("r-001", "bot", "s1")));
        await(store.create("r-002", "{}", active("r-002", "chat:en", "s1")));
        await(store.create("r-003", "{}", null));
        assertThat(await(store.active())).containsExactly(active("r-001", "bot", "s1"), active("r-002", "chat:en", "s1"));
        await(store.write("r-001", 1, "{}", active("r-001", "bot", "s2"), 0));
        assertThat(await(store.active())).contains(active("r-001", "bot", "s2")).hasSize(2);
        assertThat(failure(store.write("r-003", 1, "{}", active("r-003", "bot", "s1"), 0)))
                .isInstanceOfSatisfying(AliasBusyException.class, e -> assertThat(e.existingId()).isEqualTo("r-001"));
        await(store.write("r-001", 2, "{\"ended\":true}", null, 0));
        assertThat(await(store.active())).containsExactly(active("r-002", "chat:en", "s1"));
        // The alias is free again once its rollout ended.
        assertThat(await(store.create("r-004", "{}", active("r-004", "bot", "s1"))).revision()).isEqualTo(1);
    }

    @Test
    void shouldFenceOutALeaderWhoseLeaseExpired() {
        RolloutStore store = started();
        await(store.create("r-001", "{\"n\":1}", active("r-001", "bot", "s1")));
        long first = await(store.acquireLease("instance-a", Duration.ofSeconds(1)));
        assertThat(first).isPositive();
        assertThat(await(store.acquireLease("instance-a", Duration.ofSeconds(1)))).as("a renewal keeps the token").isEqualTo(first);
        assertThat(await(store.acquireLease("instance-b", Duration.ofSeconds(1)))).isZero();
        assertThat(await(store.leaseHolder())).contains("instance-a");
        assertThat(await(store.write("r-001", 1, "{\"n\":2}", active("r-001", "bot", "s2"), first)).revision()).isEqualTo(2);

        letTimePass(Duration.ofMillis(1500));
        assertThat(await(store.leaseHolder())).isEmpty();
        long second = await(store.acquireLease("instance-b", Duration.ofSeconds(30)));
        assertThat(second).isGreaterThan(first);
        assertThat(failure(store.write("r-001", 2, "{\"n\":3}", active("r-001", "bot", "s3"), first)))
                .isInstanceOf(FencedOutException.class);
        assertThat(await(store.acquireLease("instance-a", Duration.ofSeconds(30)))).isZero();
        assertThat(await(store.write("r-001", 2, "{\"n\":3}", active("r-001", "bot", "s3"), second)).revision()).isEqualTo(3);
        assertThat(await(store.write("r-001", 3, "{\"paused\":true}", active("r-001", "bot", "s3"), 0)).revision())
                .as("an operator's write needs no lease").isEqualTo(4);
        assertThat(await(store.get("r-001")).orElseThrow().json()).isEqualTo("{\"paused\":true}");
    }

    @Test
    void shouldRenewALeaseBeforeItExpires() {
        RolloutStore store = started();
        long token = await(store.acquireLease("instance-a", Duration.ofSeconds(1)));
        for (int i = 0; i < 3; i++) {
            letTimePass(Duration.ofMillis(400));
            assertThat(await(store.acquireLease("instance-a", Duration.ofSeconds(1)))).isEqualTo(token);
        }
        assertThat(await(store.acquireLease("instance-b", Duration.ofSeconds(1)))).isZero();
    }

    @Test
    void shouldHandTheLeaseOverAtOnceWhenReleased() {
        RolloutStore store = started();
        long first = await(store.acquireLease("instance-a", Duration.ofSeconds(30)));
        await(store.releaseLease("instance-b")); // not the holder: changes nothing
        assertThat(await(store.leaseHolder())).contains("instance-a");
        await(store.releaseLease("instance-a"));
        assertThat(await(store.leaseHolder())).isEmpty();
        long second = await(store.acquireLease("instance-b", Duration.ofSeconds(30)));
        assertThat(second).isGreaterThan(first);
        assertThat(await(store.leaseHolder())).contains("instance-b");
    }

    @Test
    void shouldTrimTheOldestInactiveRolloutWhenFull() {
        RolloutStore store = started();
        for (int i = 0; i < RolloutStore.MAX_STORED; i++) {
            String id = String.format("r-%04d", i);
            await(store.create(id, "{}", i < 2 ? active(id, "alias-" + i, "s1") : null));
        }
        await(store.create("r-9999", "{}", null));
        List<StoredRollout> listed = await(store.list(RolloutStore.MAX_STORED));
        assertThat(listed).hasSize(RolloutStore.MAX_STORED);
        assertThat(listed.get(0).id()).isEqualTo("r-9999");
        assertThat(listed).extracting(StoredRollout::id).contains("r-0000", "r-0001", "r-0003").doesNotContain("r-0002");
        assertThat(await(store.get("r-0002"))).isEmpty();
        assertThat(await(store.list(5000))).hasSize(RolloutStore.MAX_STORED);
    }

    @Test
    void shouldRefuseToCreateWhenEveryStoredRolloutIsActive() {
        RolloutStore store = started();
        // One at a time: each create reads the whole active index to check the alias.
        for (int i = 0; i < RolloutStore.MAX_STORED; i++) {
            String id = String.format("r-%04d", i);
            await(store.create(id, "{}", active(id, "alias-" + i, "s1")));
        }
        assertThat(failure(store.create("r-9999", "{}", null))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("every one is active");
        assertThat(await(store.get("r-0000"))).isPresent();
        assertThat(await(store.active())).hasSize(RolloutStore.MAX_STORED);
    }

    @Test
    void shouldRefuseOversizedDocuments() {
        RolloutStore store = started();
        String biggest = "\"" + "x".repeat(StoredRollout.MAX_JSON_BYTES - 2) + "\"";
        await(store.create("r-001", biggest, null));
        String tooBig = "\"" + "é".repeat(StoredRollout.MAX_JSON_BYTES / 2) + "\""; // 2 bytes each in UTF-8
        assertThat(failure(store.create("r-002", tooBig, null))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("262144 bytes");
        assertThat(failure(store.write("r-001", 1, biggest + " ", null, 0))).isInstanceOf(IllegalArgumentException.class);
        assertThat(await(store.get("r-001")).orElseThrow().revision()).isEqualTo(1);
        assertThat(await(store.get("r-002"))).isEmpty();
    }

    @Test
    void shouldRefuseBadArguments() {
        RolloutStore store = started();
        assertThat(failure(store.create("r 1", "{}", null))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rollout id");
        assertThat(failure(store.create("r-001", "{}", active("r-002", "bot", "s1")))).isInstanceOf(IllegalArgumentException.class);
        assertThat(failure(store.write("r-001", 1, "{}", null, -1))).isInstanceOf(IllegalArgumentException.class);
        assertThat(failure(store.acquireLease("", Duration.ofSeconds(1)))).isInstanceOf(IllegalArgumentException.class);
        assertThat(failure(store.acquireLease("a", Duration.ZERO))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ActiveRollout("r-1", "bot alias", "v2", "s1")).hasMessageContaining("alias");
        assertThatThrownBy(() -> new ActiveRollout("r-1", "bot", "v".repeat(129), "s1")).hasMessageContaining("candidate");
        assertThatThrownBy(() -> new ActiveRollout("r-1", "bot", "v2", "s:1")).hasMessageContaining("stepKey");
        assertThatThrownBy(() -> new StoredRollout("r-1", 0, "{}")).hasMessageContaining("revision");
        assertThat(await(store.list(10))).isEmpty();
    }
}
