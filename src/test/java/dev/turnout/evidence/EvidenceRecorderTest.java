package dev.turnout.evidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.turnout.diff.DiffMetrics;
import dev.turnout.diff.DiffRecord;
import dev.turnout.diff.Verdict;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The hot-path side: attribution to arms, tracking changes, the bound, and concurrent recording. */
class EvidenceRecorderTest {

    private static final Tracked BOT = new Tracked("r1", "bot", "v2", "s1");
    private static final long MS = 1_000_000;

    private final EvidenceRecorder recorder = new EvidenceRecorder(4);

    @Test
    void shouldAttributeRequestsToTheCandidateOrTheBaseline() {
        recorder.track(List.of(BOT));
        assertThat(recorder.tracks("bot")).isTrue();
        assertThat(recorder.tracks("other")).isFalse();
        recorder.request("bot", "v2", false, 120 * MS, 30 * MS, 42);
        recorder.request("bot", "v2", true, 80 * MS, 0, -1);
        recorder.request("bot", "v1", false, 50 * MS, 10 * MS, 7);
        recorder.request("bot", "v0", false, 60 * MS, 0, 9);
        recorder.request("other", "v2", true, 60 * MS, 0, 9);
        StepEvidence step = recorder.snapshot().get(BOT.ref());
        assertThat(step.candidate().requests()).isEqualTo(2);
        assertThat(step.candidate().errors()).isEqualTo(1);
        assertThat(step.candidate().latencyMillis(10)).containsExactly(new double[] {80, 120}, org.assertj.core.data.Offset.offset(1.0));
        assertThat(step.candidate().ttftMillis(10)).containsExactly(new double[] {30}, org.assertj.core.data.Offset.offset(0.2));
        assertThat(step.candidate().completionTokens(10)).containsExactly(42);
        assertThat(step.baseline().requests()).isEqualTo(2);
        assertThat(step.baseline().errors()).isZero();
        assertThat(step.baseline().completionTokens(10)).containsExactly(7, 9);
        assertThat(recorder.snapshot()).containsOnlyKeys(BOT.ref());
    }

    @Test
    void shouldCountScoredPairsOfTheTrackedCandidateOnly() {
        recorder.track(List.of(BOT));
        recorder.accept(pair("bot", "v2", DiffRecord.CANDIDATE, Verdict.SAME));
        recorder.accept(pair("bot", "v2", DiffRecord.CANDIDATE, Verdict.SIMILAR));
        recorder.accept(pair("bot", "v2", DiffRecord.CANDIDATE, Verdict.DIFFERENT));
        recorder.accept(pair("bot", "v2", DiffRecord.CANDIDATE, Verdict.ERROR));
        recorder.accept(pair("bot", "v2", DiffRecord.CANDIDATE, Verdict.UNCALIBRATED));
        recorder.accept(pair("bot", "v2", DiffRecord.NOISE, Verdict.DIFFERENT));
        recorder.accept(pair("bot", "v3", DiffRecord.CANDIDATE, Verdict.DIFFERENT));
        recorder.accept(pair("other", "v2", DiffRecord.CANDIDATE, Verdict.DIFFERENT));
        StepEvidence step = recorder.snapshot().get(BOT.ref());
        assertThat(step.scoredPairs()).isEqualTo(3);
        assertThat(step.beyondNoisePairs()).isEqualTo(1);
    }

    @Test
    void shouldKeepAnOldStepUntilASnapshotAfterItsEndIsPublished() {
        recorder.track(List.of(BOT));
        recorder.request("bot", "v2", false, MS, 0, -1);
        recorder.snapshot();
        Tracked next = new Tracked("r1", "bot", "v2", "s2");
        recorder.track(List.of(next));
        recorder.published(BOT.ref()); // that snapshot was taken before s1 ended: s1 stays
        recorder.request("bot", "v2", false, MS, 0, -1);
        Map<StepRef, StepEvidence> snapshot = recorder.snapshot();
        assertThat(snapshot).containsOnlyKeys(BOT.ref(), next.ref());
        assertThat(snapshot.get(BOT.ref()).candidate().requests()).isEqualTo(1);
        assertThat(snapshot.get(next.ref()).candidate().requests()).isEqualTo(1);
        recorder.published(next.ref()); // still tracked: kept
        recorder.published(BOT.ref());
        assertThat(recorder.snapshot()).containsOnlyKeys(next.ref());
        recorder.track(List.of());
        assertThat(recorder.tracks("bot")).isFalse();
        recorder.request("bot", "v2", false, MS, 0, -1);
        assertThat(recorder.snapshot().get(next.ref()).candidate().requests()).isEqualTo(1);
        recorder.published(next.ref());
        assertThat(recorder.snapshot()).isEmpty();
    }

    @Test
    void shouldRefuseStepsBeyondTheBoundAndCountEachOnce() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        recorder.bindTo(registry);
        List<Tracked> many = new ArrayList<>();
        for (int i = 0; i < 6; i++) many.add(new Tracked("r" + i, "alias" + i, "v2", "s1"));
        recorder.track(many);
        recorder.track(many);
        assertThat(recorder.snapshot()).hasSize(4);
        assertThat(recorder.dropped()).isEqualTo(2);
        assertThat(registry.get("turnout_rollout_evidence_dropped").functionCounter().count()).isEqualTo(2);
        assertThat(many.stream().filter(tracked -> recorder.tracks(tracked.alias()))).hasSize(4);
    }

    @Test
    void shouldRefuseAnAliasTrackedTwiceOrAStepThatChangesItsCandidate() {
        assertThatThrownBy(() -> recorder.track(List.of(BOT, new Tracked("r2", "bot", "v3", "s1"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("alias 'bot' is tracked twice");
        recorder.track(List.of(BOT));
        assertThatThrownBy(() -> recorder.track(List.of(new Tracked("r1", "bot", "v3", "s1"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("was tracked as");
        assertThat(recorder.tracks("bot")).isTrue();
        assertThatThrownBy(() -> new StepRef("r1", "s1}:x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Tracked("r".repeat(65), "bot", "v2", "s1")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldSumExactlyWhenManyThreadsRecordWhileSnapshotsAreTaken() throws Exception {
        recorder.track(List.of(BOT));
        int threads = 4;
        int each = 50_000;
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread worker = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                for (int i = 0; i < each; i++) {
                    recorder.request("bot", id % 2 == 0 ? "v2" : "v1", i % 10 == 0, (i % 1000 + 1) * MS, (i % 7) * MS, i % 3 - 1);
                }
            });
            worker.start();
            workers.add(worker);
        }
        start.countDown();
        while (workers.stream().anyMatch(Thread::isAlive)) {
            StepEvidence step = recorder.snapshot().get(BOT.ref()); // consistent at every moment
            StepEvidence.decode(step.encode());
        }
        for (Thread worker : workers) worker.join(TimeUnit.SECONDS.toMillis(30));
        StepEvidence step = recorder.snapshot().get(BOT.ref());
        for (ArmEvidence arm : List.of(step.candidate(), step.baseline())) {
            assertThat(arm.requests()).isEqualTo(2L * each);
            assertThat(arm.errors()).isEqualTo(2L * each / 10);
            assertThat(arm.ttftMillis(Integer.MAX_VALUE)).hasSize(2 * (each - (each + 6) / 7));
            assertThat(arm.completionTokens(Integer.MAX_VALUE)).hasSize(2 * (each - (each + 2) / 3));
        }
    }

    private static DiffRecord pair(String alias, String candidate, String kind, Verdict verdict) {
        DiffMetrics metrics = new DiffMetrics(verdict, 200, 200, null, null, false, false, 1.0, 1.0, 0.0, true, true, List.of(),
                null, null, 0, 0.0, null);
        return new DiffRecord("id", Instant.now(), alias, "v1", candidate, kind, metrics, null, null, null);
    }
}
