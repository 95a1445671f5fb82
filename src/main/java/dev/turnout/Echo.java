package dev.turnout;

/**
 * An operator's or a store's text repeated in a message: cut to {@link #MAX_CHARS} and with control
 * characters shown as {@code ?}, so an answer or a log line never grows with, or is broken by, what
 * was sent.
 */
public final class Echo {

    public static final int MAX_CHARS = 64;

    private Echo() {}

    public static String cut(String text) {
        if (text == null) return "null";
        String clean = text.replaceAll("\\p{Cntrl}", "?");
        return clean.length() <= MAX_CHARS ? clean : clean.substring(0, MAX_CHARS) + "...";
    }
}
