/**
 * Automated rollouts (issue 12), pure foundations only: the declared resource
 * ({@link dev.turnout.rollout.RolloutSpec}), its parsing and validation
 * ({@link dev.turnout.rollout.RolloutSpecs}) and the split each step writes
 * ({@link dev.turnout.rollout.StepWeights}). No Vert.x, no Redis: the engine that stores rollouts,
 * holds the leader lease and judges steps is built on top of this package.
 */
package dev.turnout.rollout;
