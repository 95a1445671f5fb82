package dev.turnout.route;

import static java.util.Objects.requireNonNull;

/**
 * What keeps a caller on one version of a split: the client id, the body's {@code user} field,
 * the value of a request header, or nothing (every request is placed at random).
 */
public record Sticky(Kind kind, String header) {

    public enum Kind { CLIENT, USER, HEADER, NONE }

    public static final Sticky CLIENT = new Sticky(Kind.CLIENT, null);
    public static final Sticky USER = new Sticky(Kind.USER, null);
    public static final Sticky NONE = new Sticky(Kind.NONE, null);

    public Sticky {
        requireNonNull(kind, "kind");
        if ((kind == Kind.HEADER) != (header != null)) {
            throw new IllegalArgumentException("a header name goes with sticky kind HEADER only");
        }
    }

    public static Sticky header(String name) {
        return new Sticky(Kind.HEADER, name);
    }

    /** Parses {@code client | user | none | header:<Name>}; null when the text is none of these. */
    public static Sticky parse(String text) {
        if (text == null) return null;
        switch (text) {
            case "client": return CLIENT;
            case "user": return USER;
            case "none": return NONE;
            default:
                if (text.startsWith("header:") && text.length() > "header:".length()) {
                    return header(text.substring("header:".length()));
                }
                return null;
        }
    }

    @Override
    public String toString() {
        return kind == Kind.HEADER ? "header:" + header : kind.name().toLowerCase(java.util.Locale.ROOT);
    }
}
