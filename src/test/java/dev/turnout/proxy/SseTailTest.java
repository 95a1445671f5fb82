package dev.turnout.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

class SseTailTest {

    private static String prefixAfter(String... chunks) {
        SseTail tail = new SseTail();
        for (String chunk : chunks) tail.track(Buffer.buffer(chunk));
        return tail.closingPrefix();
    }

    @Test
    void shouldNeedNothingAtTheStartOrAfterABlankLine() {
        assertThat(prefixAfter()).isEmpty();
        assertThat(prefixAfter("data: a\n\n")).isEmpty();
        assertThat(prefixAfter("data: a\r\n\r\n")).isEmpty();
        assertThat(prefixAfter("data: a\r\r")).isEmpty();
        assertThat(prefixAfter("data: a\n\n\n\n")).isEmpty();
    }

    @Test
    void shouldEndAHalfWrittenLineAndItsEvent() {
        assertThat(prefixAfter("data: {\"choices\":[{\"delta\":{\"content\":\"Hel")).isEqualTo("\n\n");
        assertThat(prefixAfter("data: a\n\n", "data: b")).isEqualTo("\n\n");
    }

    @Test
    void shouldEndAnEventWhoseLastLineIsComplete() {
        assertThat(prefixAfter("data: a\n")).isEqualTo("\n");
        assertThat(prefixAfter("data: a\r\n")).isEqualTo("\n");
    }

    @Test
    void shouldNotTakeTheHalfOfACrlfForALineEnd() {
        // "\r" then "\n" would be one CRLF: two LFs are needed after a trailing CR.
        assertThat(prefixAfter("data: a\r")).isEqualTo("\n\n");
        assertThat(prefixAfter("data: a\r", "\n")).isEqualTo("\n");
        assertThat(prefixAfter("data: a\r\n", "\r")).isEmpty();
    }

    @Test
    void shouldFollowTerminatorsSplitAcrossChunks() {
        assertThat(prefixAfter("data: a", "\n", "\n")).isEmpty();
        assertThat(prefixAfter("data: a", "\n")).isEqualTo("\n");
        assertThat(prefixAfter("data: a\n", "\n", "data: b")).isEqualTo("\n\n");
    }
}
