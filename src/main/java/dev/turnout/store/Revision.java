package dev.turnout.store;

import static java.util.Objects.requireNonNull;

import dev.turnout.route.RouteTable;
import java.time.Instant;

/** One entry of the history: the full table of a revision and who made it, why and when. */
public record Revision(long revision, ChangeInfo change, Instant time, RouteTable table) {
    public Revision {
        requireNonNull(change, "change");
        requireNonNull(time, "time");
        requireNonNull(table, "table");
    }
}
