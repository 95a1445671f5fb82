package dev.turnout.store;

/**
 * Who changed the routes, why, and with what kind of action ({@code replace}, {@code rollback},
 * {@code put-version}, ...), as recorded in history.
 */
public record ChangeInfo(String author, String reason, String action) {
    public ChangeInfo {
        author = author == null || author.isBlank() ? "unknown" : author;
        reason = reason == null ? "" : reason;
        action = action == null ? "replace" : action;
    }

    public static ChangeInfo seed(String source) {
        return new ChangeInfo("turnout", "seeded from " + source, "seed");
    }
}
