package dev.turnout.judge;

/** One criterion's verdict, whatever test produced it; {@link StepJudge} combines them. */
public sealed interface Judgement permits RateJudgement, RatioJudgement {

    Decision decision();

    /** The test that produced the verdict, for the decision log. */
    String testName();

    /** One line with the figures behind the decision, for the decision log and route-write reasons. */
    String summary();
}
