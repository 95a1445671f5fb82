package dev.turnout.golden;

import static java.util.Objects.requireNonNull;

/**
 * Whether one answer passed its item's check, and why, in one line of at most
 * {@value #MAX_DETAIL} characters (answers are quoted cut short, so a report stays readable).
 */
public record ItemResult(boolean passed, String detail) {

    public static final int MAX_DETAIL = 300;

    public ItemResult {
        requireNonNull(detail, "detail");
        detail = detail.replace('\n', ' ').replace('\r', ' ');
        if (detail.length() > MAX_DETAIL) detail = detail.substring(0, MAX_DETAIL - 3) + "...";
    }
}
