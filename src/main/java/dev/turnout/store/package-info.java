/**
 * Where route tables live: {@link dev.turnout.store.RouteStore} in memory (one instance) or in
 * Redis (many), standalone, Sentinel or Cluster ({@link dev.turnout.store.RedisLink}). In Redis,
 * every key shares one hash tag, so the scripts' keys sit in one cluster slot:
 * <pre>
 *   {prefix}:rev        integer, the stored revision
 *   {prefix}:table      the table as JSON, with its revision
 *   {prefix}:history    list of {revision, routes, author, reason, action, time}, newest first, trimmed
 *   {prefix}:instances  hash: instance id -> {appliedRevision, heartbeat}
 *   {prefix}:diffs      stream of compared shadow pairs (diff.RedisDiffSink)
 *   prefix:routes       channel: each new history entry as JSON
 *
 *   writer --EVALSHA write--> Redis --PUBLISH entry--> every instance: parse, validate, swap, notify
 *                                    <--GET rev (poll)-- every instance, every pollInterval
 * </pre>
 */
package dev.turnout.store;
