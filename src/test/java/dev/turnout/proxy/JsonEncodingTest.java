package dev.turnout.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The gateway's own UTF-8 check agrees with the JDK's strict decoder on every input. */
class JsonEncodingTest {

    private static final byte[] INTERESTING = {0x41, 0x7F, (byte) 0x80, (byte) 0x8F, (byte) 0x90, (byte) 0x9F, (byte) 0xA0,
            (byte) 0xBF, (byte) 0xC0, (byte) 0xC1, (byte) 0xC2, (byte) 0xDF, (byte) 0xE0, (byte) 0xE1, (byte) 0xEC,
            (byte) 0xED, (byte) 0xEE, (byte) 0xEF, (byte) 0xF0, (byte) 0xF1, (byte) 0xF3, (byte) 0xF4, (byte) 0xF5,
            (byte) 0xFF};

    @Test
    void acceptsExactlyWhatTheJdkDecodesAsUtf8() {
        Random random = new Random(9);
        for (int run = 0; run < 200_000; run++) {
            byte[] bytes = new byte[1 + random.nextInt(6)];
            for (int i = 0; i < bytes.length; i++) bytes[i] = INTERESTING[random.nextInt(INTERESTING.length)];
            assertThat(JsonEncoding.firstInvalidByte(bytes, bytes.length) < 0)
                    .as("valid UTF-8: %s", java.util.HexFormat.ofDelimiter(" ").formatHex(bytes))
                    .isEqualTo(jdkDecodes(bytes));
        }
    }

    @Test
    void refusesAZeroByteAndPointsAtTheFirstBadOne() {
        assertThat(JsonEncoding.firstInvalidByte(new byte[] {'{', 0, '}'}, 3)).isEqualTo(1);
        assertThat(JsonEncoding.firstInvalidByte(new byte[] {'a', (byte) 0xC3, (byte) 0xA9, (byte) 0xC3}, 4)).isEqualTo(3);
        byte[] valid = "h\u00e9 \ud83d\ude00".getBytes(StandardCharsets.UTF_8);
        assertThat(JsonEncoding.firstInvalidByte(valid, valid.length)).isEqualTo(-1);
    }

    @Test
    void namesTheCharsetOnlyWhenItIsNotUtf8() {
        assertThat(JsonEncoding.checkCharset("application/json")).isNull();
        assertThat(JsonEncoding.checkCharset("application/json; charset=UTF-8")).isNull();
        assertThat(JsonEncoding.checkCharset("application/json;charset=\"utf-8\"")).isNull();
        assertThat(JsonEncoding.checkCharset("application/json; charset=latin1").status()).isEqualTo(415);
    }

    private static boolean jdkDecodes(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
