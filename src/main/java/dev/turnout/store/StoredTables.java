package dev.turnout.store;

import dev.turnout.route.InvalidRoutesException;
import dev.turnout.route.RouteCodec;
import dev.turnout.route.RouteTable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * Stored tables and revisions read as hostile input: a table is validated exactly like an admin
 * write before it may be applied, and the newest one refused is remembered, with its errors, so
 * {@code /admin/status} and {@code /health/ready} can say what is wrong and where. The instance
 * keeps serving its last good table meanwhile; a newer good revision clears the rejection.
 */
final class StoredTables {

    private static final Logger LOG = Logger.getLogger(StoredTables.class.getName());
    private static final int MAX_REPORTED_ERRORS = 20;
    private static final String REPAIR = "PUT /admin/routes without If-Match replaces it";

    private final String revKey;
    private final String tableKey;
    private final String instanceId;
    private volatile StoreStatus.Rejected rejected;

    StoredTables(String revKey, String tableKey, String instanceId) {
        this.revKey = revKey;
        this.tableKey = tableKey;
        this.instanceId = instanceId;
    }

    /** The stored table, validated; else recorded as rejected and a {@link StoreCorruptException} thrown. */
    RouteTable parse(String json, long revisionHint, RouteTable serving) {
        try {
            return RouteCodec.fromJson(json);
        } catch (InvalidRoutesException e) {
            long revision = RedisDocuments.leadingRevision(json);
            StoreStatus.Rejected refused = reject(revision >= 0 ? revision : revisionHint, e.errors(), serving);
            throw new StoreCorruptException("the stored table (" + tableKey + ", revision " + refused.revision()
                    + ") cannot be applied: " + String.join("; ", refused.errors()) + "; " + REPAIR);
        }
    }

    private StoreStatus.Rejected reject(long revision, List<String> errors, RouteTable serving) {
        StoreStatus.Rejected previous = rejected;
        List<String> shown = errors.size() > MAX_REPORTED_ERRORS ? errors.subList(0, MAX_REPORTED_ERRORS) : errors;
        StoreStatus.Rejected refused = new StoreStatus.Rejected(revision, tableKey, shown, Instant.now());
        rejected = refused;
        if (previous == null || previous.revision() != revision) { // once per revision, not once per poll
            LOG.warning("Redis holds route revision " + revision + " in " + tableKey + " but it fails validation ("
                    + String.join("; ", shown) + "); instance " + instanceId + " keeps serving revision "
                    + (serving == null ? "none" : serving.revision()));
        }
        return refused;
    }

    StoreStatus.Rejected rejected() {
        return rejected;
    }

    /** Called with each applied table: a good revision at or past the rejected one ends the rejection. */
    void applied(long revision) {
        StoreStatus.Rejected refused = rejected;
        if (refused != null && refused.revision() <= revision) rejected = null;
    }

    /** Whether the poll should read the table again: not while it still holds the revision already refused. */
    boolean worthReading(long storedRevision) {
        StoreStatus.Rejected refused = rejected;
        return refused == null || refused.revision() != storedRevision;
    }

    /** The store's status when Redis answered: {@code storedRevision} as read, the live instances. */
    StoreStatus status(String storedRevision, List<StoreStatus.InstanceState> live, long applied) {
        return new StoreStatus("redis", true, RedisDocuments.revisionOf(storedRevision), applied, live, null,
                corrupt(storedRevision, applied), rejected);
    }

    /** The store's status when reading it failed: a value of the wrong type, or Redis out of reach. */
    StoreStatus status(Throwable error, long applied, String redis) {
        return error instanceof StoreCorruptException
                ? new StoreStatus("redis", true, -1, applied, List.of(), null, List.of(error.getMessage()), rejected)
                : new StoreStatus("redis", false, -1, applied, List.of(), "Redis at " + redis + " is unreachable ("
                        + error.getMessage() + "); this instance keeps serving revision " + applied);
    }

    /** What {@code /admin/status} lists as corrupt, each naming its key and the repair. */
    private List<String> corrupt(String storedRevision, long applied) {
        List<String> corrupt = new ArrayList<>();
        if (RedisDocuments.revisionOf(storedRevision) < 0) {
            corrupt.add(revKey + " holds " + RedisDocuments.excerpt(storedRevision) + ", not a revision; " + REPAIR);
        }
        StoreStatus.Rejected refused = rejected;
        if (refused != null) {
            corrupt.add(refused.key() + " holds revision " + refused.revision() + ", which cannot be applied; this instance"
                    + " keeps serving revision " + applied + "; " + REPAIR);
        }
        return corrupt;
    }

    StoreCorruptException garbledRevision() {
        return new StoreCorruptException(revKey + " does not hold a revision, so a write with If-Match cannot be checked; "
                + REPAIR);
    }

    /** Why {@code start()} found nothing it could serve. */
    StoreCorruptException noTable(String redis) {
        StoreStatus.Rejected refused = rejected;
        if (refused != null) {
            return new StoreCorruptException("Redis at " + redis + " holds revision " + refused.revision() + " in "
                    + refused.key() + " but it cannot be applied: " + String.join("; ", refused.errors()) + ". Replace it"
                    + " from a running instance (PUT /admin/routes without If-Match), or delete " + revKey + " and "
                    + tableKey + " to seed again");
        }
        return new StoreCorruptException("Redis at " + redis + " holds " + revKey + " but no " + tableKey
                + "; delete " + revKey + " to seed it again");
    }
}
