package dev.turnout.judge;

import dev.turnout.judge.StepDecision.Outcome;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Combines a step's criteria into one decision, in this order:
 * <ol>
 *   <li>any criterion failed → {@code fail}, whatever the minimums: strong evidence of harm is not
 *       made to wait (the rate tests' p-values stay valid at any look);</li>
 *   <li>every criterion passed and {@code minRequests} and {@code minSeconds} are met → {@code pass};</li>
 *   <li>{@code maxSeconds} reached → {@code timed_out};</li>
 *   <li>otherwise {@code inconclusive}.</li>
 * </ol>
 * A step with no criteria passes on its minimums alone.
 */
public final class StepJudge {

    private StepJudge() {}

    /**
     * @param candidateRequests requests the candidate served in this step, fleet-wide
     * @param elapsed           time since the step began
     * @param criteria          this look's verdict for every criterion the rollout declares
     */
    public static StepDecision judge(StepMinimums minimums, long candidateRequests, Duration elapsed,
            List<CriterionJudgement> criteria) {
        Objects.requireNonNull(minimums, "minimums");
        Objects.requireNonNull(elapsed, "elapsed");
        List<CriterionJudgement> judged = List.copyOf(criteria);
        List<CriterionJudgement> failed = withDecision(judged, Decision.FAIL);
        if (!failed.isEmpty()) return new StepDecision(Outcome.FAIL, judged, "failed: " + describe(failed));

        List<CriterionJudgement> undecided = withDecision(judged, Decision.INCONCLUSIVE);
        String waitingFor = waitingFor(minimums, candidateRequests, elapsed);
        if (undecided.isEmpty() && waitingFor.isEmpty()) {
            String reason = judged.isEmpty()
                    ? "no criteria; minimums met"
                    : "every criterion passed after " + candidateRequests + " candidate requests and " + elapsed.toSeconds() + " s";
            return new StepDecision(Outcome.PASS, judged, reason);
        }
        String pending = undecided.isEmpty() ? waitingFor
                : "inconclusive: " + describe(undecided) + (waitingFor.isEmpty() ? "" : "; " + waitingFor);
        if (elapsed.compareTo(minimums.maxTime()) >= 0) {
            return new StepDecision(Outcome.TIMED_OUT, judged,
                    "no decision after maxSeconds " + minimums.maxTime().toSeconds() + ": " + pending);
        }
        return new StepDecision(Outcome.INCONCLUSIVE, judged, pending);
    }

    private static List<CriterionJudgement> withDecision(List<CriterionJudgement> criteria, Decision decision) {
        return criteria.stream().filter(criterion -> criterion.decision() == decision).toList();
    }

    private static String describe(List<CriterionJudgement> criteria) {
        return criteria.stream()
                .map(criterion -> criterion.criterion() + " (" + criterion.judgement().summary() + ")")
                .collect(Collectors.joining(", "));
    }

    /** The minimums not yet met, as text; empty when all are. */
    private static String waitingFor(StepMinimums minimums, long candidateRequests, Duration elapsed) {
        StringBuilder waiting = new StringBuilder();
        if (candidateRequests < minimums.minRequests()) {
            waiting.append("minRequests ").append(minimums.minRequests()).append(" (have ").append(candidateRequests).append(")");
        }
        if (elapsed.compareTo(minimums.minTime()) < 0) {
            if (waiting.length() > 0) waiting.append(", ");
            waiting.append("minSeconds ").append(minimums.minTime().toSeconds()).append(" (at ").append(elapsed.toSeconds()).append(")");
        }
        return waiting.length() == 0 ? "" : "waiting for " + waiting;
    }
}
