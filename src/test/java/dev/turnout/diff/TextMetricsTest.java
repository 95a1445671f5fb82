package dev.turnout.diff;

import static org.assertj.core.api.Assertions.assertThat;

import java.text.Normalizer;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TextMetricsTest {

    /** The definition normalize() had before its whitespace pass lost the regex. */
    private static String referenceNormalize(String text) {
        String folded = Normalizer.normalize(text, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT).trim().replaceAll("\\s+", " ");
        int start = 0;
        int end = folded.length();
        while (start < end && !Character.isLetterOrDigit(folded.charAt(start)) && !Character.isWhitespace(folded.charAt(start))) start++;
        while (end > start && !Character.isLetterOrDigit(folded.charAt(end - 1)) && !Character.isWhitespace(folded.charAt(end - 1))) end--;
        return folded.substring(start, end).trim();
    }

    @Test
    void shouldNormalizeExactlyAsTheRegexDefinitionWhateverTheWhitespace() {
        String alphabet = "aB1 ,.!\t\n\r\f\u000B\u00a0\u2003\u3000é\uFF21\u0085\u001c-";
        Random random = new Random(11);
        for (int round = 0; round < 20_000; round++) {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(24);
            for (int i = 0; i < length; i++) text.append(alphabet.charAt(random.nextInt(alphabet.length())));
            assertThat(TextMetrics.normalize(text.toString())).as("[%s]", text).isEqualTo(referenceNormalize(text.toString()));
        }
        assertThat(TextMetrics.normalize("  Hello,\t\tWORLD!  ")).isEqualTo("hello, world");
    }
}
