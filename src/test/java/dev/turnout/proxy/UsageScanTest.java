package dev.turnout.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

/** The completion tokens in the last bytes relayed, through the ring's wrap-around. */
class UsageScanTest {

    private static long scan(String... chunks) {
        byte[] ring = new byte[UsageScan.WINDOW];
        long written = 0;
        for (String chunk : chunks) written = UsageScan.append(ring, written, Buffer.buffer(chunk));
        return UsageScan.completionTokens(ring, written);
    }

    @Test
    void shouldFindTheTokensAtTheEndOfAnAnswer() {
        assertThat(scan("{\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":345,\"total_tokens\":357}}")).isEqualTo(345);
        assertThat(scan("{\"usage\":{\"completion_tokens\" :\n\t 7}}")).isEqualTo(7);
    }

    @Test
    void shouldFindTheTokensAcrossTheRingsWrapAround() {
        String filler = "x".repeat(UsageScan.WINDOW - 10);
        // The key starts 10 bytes before the ring's end and continues at its start.
        assertThat(scan(filler, "{\"completion_tokens\":981}")).isEqualTo(981);
        assertThat(scan("y".repeat(5000), filler, "{\"completion", "_tokens\": 4", "2}")).isEqualTo(42);
        // One chunk longer than the ring: only its tail is kept.
        assertThat(scan("\"completion_tokens\":1," + "z".repeat(2000) + "\"completion_tokens\":77}")).isEqualTo(77);
    }

    @Test
    void shouldTakeTheLastOccurrence() {
        assertThat(scan("{\"completion_tokens\":1}", "{\"completion_tokens\":2}", "data: {\"usage\":{\"completion_tokens\":3}}\n\n"))
                .isEqualTo(3);
        assertThat(scan("{\"completion_tokens\":5,\"text\":\"\\\"completion_tokens\\\"\"}")).isEqualTo(5);
    }

    @Test
    void shouldSayUnknownWhenAbsentOrMalformed() {
        assertThat(scan()).isEqualTo(-1);
        assertThat(scan("{\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}", "data: [DONE]\n\n")).isEqualTo(-1);
        assertThat(scan("{\"completion_tokens\":null}")).isEqualTo(-1);
        assertThat(scan("{\"completion_tokens\":\"12\"}")).isEqualTo(-1);
        assertThat(scan("\"completion_tokens\":12" + "x".repeat(UsageScan.WINDOW))).isEqualTo(-1); // scrolled out
    }

    @Test
    void shouldRefuseMoreThanTenDigits() {
        assertThat(scan("{\"completion_tokens\":9999999999}")).isEqualTo(9_999_999_999L);
        assertThat(scan("{\"completion_tokens\":12345678901}")).isEqualTo(-1);
        assertThat(scan("{\"completion_tokens\":" + "9".repeat(600) + "}")).isEqualTo(-1);
    }
}
