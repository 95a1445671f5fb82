package dev.turnout.sim;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Deterministic text, like two fine-tunes of one model answer: every name starts from the same
 * base answer for (seed, prompt), then rewrites about one word in twenty its own way, and for about
 * one prompt in twenty answers something else entirely. Pure: no Vert.x, no state.
 */
public final class SimText {

    private static final String[] WORDS = ("the a your order parcel package delivery will be is was has have "
            + "arrive arrives shipped tracking number please check account email refund return policy days "
            + "within business support team sorry for delay we can help you with this today update status "
            + "carrier warehouse address confirm details soon again thank patience issue resolved replacement "
            + "item items store online payment card charged twice invoice receipt customer service hours open "
            + "contact chat phone message reply quickly usually takes two three five seven working weekend "
            + "holiday season demand higher than normal expect another notification when leaves our facility "
            + "estimated date changed recently moved new location local office pickup point nearby signature "
            + "required door safe place photo proof neighbour left outside missing damaged broken wrong size "
            + "color exchange free label print box original packaging condition unused tags attached credit "
            + "balance wallet voucher code discount next purchase apologise inconvenience caused appreciate "
            + "understanding let me know if anything else need assistance happy to look into it right away").split(" ");

    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private SimText() {}

    /** The answer's words for (name, seed, prompt), {@code tokens} of them. */
    public static List<String> words(String name, long seed, String prompt, int tokens) {
        long nameHash = hash(name);
        long base = mix(seed ^ hash(prompt));
        if (Long.remainderUnsigned(mix(nameHash ^ base), 20) == 0) {
            base = mix(base ^ nameHash); // this version answers this prompt its own way
        }
        List<String> words = new ArrayList<>(tokens);
        for (int i = 0; i < tokens; i++) {
            long word = mix(base + i);
            if (Long.remainderUnsigned(mix(word ^ nameHash), 20) == 0) word = mix(word ^ nameHash ^ 0x5bd1e995L);
            words.add(WORDS[(int) Long.remainderUnsigned(word, WORDS.length)]);
        }
        return words;
    }

    /** A word drawn from the vocabulary, for answers that vary from request to request. */
    public static String randomWord(java.util.random.RandomGenerator random) {
        return WORDS[random.nextInt(WORDS.length)];
    }

    /** A unit-length vector for (name, seed, input). */
    public static float[] embedding(String name, long seed, String input, int dimensions) {
        float[] vector = new float[dimensions];
        long base = mix(seed ^ hash(input) ^ (hash(name) >>> 48));
        double norm = 0;
        for (int i = 0; i < dimensions; i++) {
            double value = (mix(base + i) >>> 11) * 0x1.0p-53 * 2 - 1;
            vector[i] = (float) value;
            norm += value * value;
        }
        float scale = (float) (1 / Math.sqrt(norm == 0 ? 1 : norm));
        for (int i = 0; i < dimensions; i++) vector[i] *= scale;
        return vector;
    }

    /** One of two argument values, chosen per (name, seed, prompt): versions disagree on some tool calls. */
    public static boolean choice(String name, long seed, String prompt) {
        return (mix(hash(name) ^ mix(seed ^ hash(prompt))) & 1) == 0;
    }

    static long hash(String text) {
        long hash = FNV_OFFSET;
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            hash ^= b & 0xff;
            hash *= FNV_PRIME;
        }
        return hash;
    }

    /** SplitMix64's finaliser: spreads every input bit over the output. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** Rough prompt size in tokens: words separated by whitespace. */
    public static int countWords(String text) {
        int count = 0;
        boolean inWord = false;
        for (int i = 0; i < text.length(); i++) {
            boolean space = Character.isWhitespace(text.charAt(i));
            if (!space && !inWord) count++;
            inWord = !space;
        }
        return count;
    }
}
