/**
 * Where rollouts are kept (issue 12): {@link dev.turnout.rollout.store.RolloutStore} in memory
 * (one instance) or in Redis (many), beside the routes and under the same hash tag, so every
 * script's keys sit in one cluster slot:
 * <pre>
 *   {prefix}:rollouts         hash: rollout id -> its document (JSON, opaque to the store, at most 256 KiB)
 *   {prefix}:rollouts:rev     hash: rollout id -> its revision (1 on creation, +1 per write)
 *   {prefix}:rollouts:active  hash: rollout id -> "alias candidate stepKey", for rollouts that run
 *   {prefix}:rollouts:lease   string "token owner", PX ttl: the leader lease
 *   {prefix}:rollouts:fence   counter: the last fencing token issued
 * </pre>
 * Each mutation is one script ({@link dev.turnout.rollout.store.RolloutScripts}): create (with the
 * one-active-rollout-per-alias check and trimming to 1 000), write (compare-and-set, and for the
 * leader the fence check against the lease), acquire and release. Every instance polls the small
 * active index; only the leader reads and writes documents as steps advance, operators' writes
 * (fence 0) race with it through the same compare-and-set.
 */
package dev.turnout.rollout.store;
