package dev.turnout.replay;

/** Log positions as Redis writes stream ids, {@code <ms>-<seq>}, compared as numbers. */
final class Positions {

    private Positions() {}

    static String of(long ms, long seq) {
        return ms + "-" + seq;
    }

    /** Orders two positions; one that is not {@code <ms>-<seq>} throws {@link IllegalArgumentException}. */
    static int compare(String a, String b) {
        long[] x = parse(a);
        long[] y = parse(b);
        return x[0] != y[0] ? Long.compare(x[0], y[0]) : Long.compare(x[1], y[1]);
    }

    static long[] parse(String position) {
        int dash = position.indexOf('-');
        try {
            return new long[] {Long.parseLong(position.substring(0, dash)), Long.parseLong(position.substring(dash + 1))};
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a log position: " + position);
        }
    }
}
