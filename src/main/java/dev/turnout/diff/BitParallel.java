package dev.turnout.diff;

/**
 * The two quadratic measures of the differ, computed 64 cells of the dynamic-programming table at a
 * time: one pass over the second sequence, one machine word per 64 elements of the first. Same
 * results as the textbook two-row DP (a property test compares them on random inputs), 20-60 times
 * faster on 2 000-token and 4 000-character answers. Pure, allocation proportional to the inputs.
 */
final class BitParallel {

    private BitParallel() {}

    /**
     * Length of the longest common subsequence of two sequences of symbol ids in [0, symbols), by
     * Crochemore, Iliopoulos, Pinzon and Reid (2001): a bit per position of {@code a}, cleared where
     * the position is used by the LCS so far; per symbol {@code c} of {@code b},
     * {@code V = (V + (V & M[c])) | (V & ~M[c])}, a multi-word addition. LCS = cleared bits.
     */
    static int lcs(int[] a, int[] b, int symbols) {
        if (a.length == 0 || b.length == 0) return 0;
        int words = (a.length + 63) >>> 6;
        long[] matches = new long[symbols * words]; // matches[c * words + w]: positions of a holding c
        for (int i = 0; i < a.length; i++) matches[a[i] * words + (i >>> 6)] |= 1L << i;
        long[] v = new long[words];
        java.util.Arrays.fill(v, -1L);
        for (int symbol : b) {
            int base = symbol * words;
            long carry = 0;
            for (int w = 0; w < words; w++) {
                long m = matches[base + w];
                long x = v[w];
                long u = x & m;
                long sum = x + u;
                long carryOut = Long.compareUnsigned(sum, x) < 0 ? 1 : 0;
                sum += carry;
                if (carry != 0 && sum == 0) carryOut = 1;
                carry = carryOut;
                v[w] = sum | (x & ~m);
            }
        }
        int cleared = 0;
        for (int w = 0; w < words; w++) {
            int bits = Math.min(64, a.length - (w << 6));
            long mask = bits == 64 ? -1L : (1L << bits) - 1;
            cleared += Long.bitCount(~v[w] & mask);
        }
        return cleared;
    }

    /**
     * Levenshtein distance of two strings, by UTF-16 unit as the DP does, with Myers' (1999)
     * bit-vector algorithm in blocks of 64 rows (Hyyrö 2003): vertical deltas of each column are two
     * words per block, the horizontal delta leaving one block enters the next. The score is tracked
     * at row {@code a.length()}; bits above it in the last block never reach lower ones.
     */
    static int levenshtein(String a, String b) {
        int m = a.length();
        if (m == 0) return b.length();
        if (b.isEmpty()) return m;
        int words = (m + 63) >>> 6;
        // Chars of a get dense ids (a table for Latin-1, a map beyond); a char of b that a lacks matches nothing.
        int[] latin = new int[256];
        java.util.Arrays.fill(latin, -1);
        java.util.HashMap<Character, Integer> wide = new java.util.HashMap<>();
        int symbols = 0;
        int[] aIds = new int[m];
        for (int i = 0; i < m; i++) {
            char c = a.charAt(i);
            int id = id(c, latin, wide);
            if (id < 0) {
                id = symbols++;
                if (c < 256) latin[c] = id;
                else wide.put(c, id);
            }
            aIds[i] = id;
        }
        // One more row, all zeros, for the chars of b that a lacks: no branch in the inner loop.
        long[] peq = new long[(symbols + 1) * words];
        int absent = symbols * words;
        for (int i = 0; i < m; i++) peq[aIds[i] * words + (i >>> 6)] |= 1L << i;
        long[] pv = new long[words];
        long[] mv = new long[words];
        java.util.Arrays.fill(pv, -1L);
        long lastBit = 1L << ((m - 1) & 63);
        int last = words - 1;
        int score = m;
        for (int j = 0; j < b.length(); j++) {
            int id = id(b.charAt(j), latin, wide);
            int base = id < 0 ? absent : id * words;
            // The horizontal delta entering a block, as two bits: row 0 grows by one per column, D[0][j] = j.
            long hp = 1;
            long hn = 0;
            for (int w = 0; w < last; w++) {
                long eq = peq[base + w];
                long p = pv[w];
                long n = mv[w];
                long xv = eq | n;
                eq |= hn;
                long xh = (((eq & p) + p) ^ p) | eq;
                long ph = n | ~(xh | p);
                long mh = p & xh;
                long hpOut = ph >>> 63;
                long hnOut = mh >>> 63;
                ph = ph << 1 | hp;
                mh = mh << 1 | hn;
                pv[w] = mh | ~(xv | ph);
                mv[w] = ph & xv;
                hp = hpOut;
                hn = hnOut;
            }
            // The last block: the score is tracked at row m, bit lastBit.
            long eq = peq[base + last];
            long p = pv[last];
            long n = mv[last];
            long xv = eq | n;
            eq |= hn;
            long xh = (((eq & p) + p) ^ p) | eq;
            long ph = n | ~(xh | p);
            long mh = p & xh;
            if ((ph & lastBit) != 0) score++;
            else if ((mh & lastBit) != 0) score--;
            ph = ph << 1 | hp;
            mh = mh << 1 | hn;
            pv[last] = mh | ~(xv | ph);
            mv[last] = ph & xv;
        }
        return score;
    }

    private static int id(char c, int[] latin, java.util.Map<Character, Integer> wide) {
        if (c < 256) return latin[c];
        Integer id = wide.get(c);
        return id == null ? -1 : id;
    }
}
