package dev.turnout.probe;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;

/**
 * One run of a probe: its golden set asked of each target version.
 *
 * @param trigger {@code schedule}, {@code manual} or {@code gate:<rollout id>}
 */
public record ProbeRun(String id, String probe, String set, String trigger, Instant startedAt, Instant finishedAt,
        List<VersionRun> versions) {

    public ProbeRun {
        requireNonNull(id, "id");
        requireNonNull(probe, "probe");
        versions = List.copyOf(versions);
    }

    public VersionRun version(String name) {
        return versions.stream().filter(run -> run.version().equals(name)).findFirst().orElse(null);
    }
}
