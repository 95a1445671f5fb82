package dev.turnout.diff;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The fast scanner must read every chunk it accepts exactly as Jackson does, and leave the rest to it. */
class ChunkScannerTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String ID = "\"id\":\"chatcmpl-9\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"gpt-4o\"";

    private static final List<String> CHUNKS = List.of(
            "{" + ID + ",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}",
            "{" + ID + ",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" café 🚚\"},\"logprobs\":null,\"finish_reason\":null}]}",
            "{" + ID + ",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"line\\nbreak \\\"quoted\\\" \\u00e9\\ud83d\\ude9a \\/ \\\\ \\t\"}}]}",
            "{" + ID + ",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}",
            "{" + ID + ",\"choices\":[{\"index\":1,\"delta\":{\"content\":\"b\"}},{\"index\":0,\"delta\":{\"content\":\"a\"}}]}",
            "{\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"choices\":[{\"text\":\" once\",\"index\":0,\"logprobs\":null,\"finish_reason\":null}]}",
            "{ \"choices\" : [ { \"index\" : 2 , \"delta\" : { \"content\" : \"x\" } } ] , \"n\" : -1.5e+3 , \"t\" : [true, false, null, {}, [], 0, -0.25E-2] }",
            "{\"choices\":[1, \"two\", null, {\"index\":0,\"delta\":\"not an object\"}]}",
            "{\"choices\":{\"index\":0},\"choices\":[{\"index\":0,\"delta\":{\"content\":\"last wins\"},\"index\":3}]}",
            "{\"choices\":[{\"index\":-7,\"delta\":{\"content\":null},\"text\":5,\"finish_reason\":{\"nested\":[1,2]}}]}",
            "{\"choices\":[],\"system_fingerprint\":\"fp_\\u0041\"}",
            "{}",
            "{\"choices\":[{}]} trailing text is not read");

    @Test
    void shouldReadEveryCommonChunkShapeExactlyAsJacksonDoes() throws Exception {
        for (String chunk : CHUNKS) {
            byte[] bytes = chunk.getBytes(StandardCharsets.UTF_8);
            ChunkParser.Chunk scanned = ChunkScanner.scan(bytes, 0, bytes.length);
            assertThat(scanned).as(chunk).isNotSameAs(ChunkScanner.UNSURE)
                    .isEqualTo(ChunkParser.parseWithJackson(JSON, bytes, 0, bytes.length));
        }
    }

    @Test
    void shouldLeaveToolCallsUsageAndOddValuesToJackson() {
        for (String chunk : List.of(
                "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\"}}]}}]}",
                "{\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":7}}",
                "{\"choices\":[{\"index\":1.0}]}",
                "{\"choices\":[{\"index\":\"1\"}]}",
                "{\"choices\":[{\"index\":01}]}",
                "{\"choi\\u0063es\":[]}",
                "{\"a\":1,}",
                "{\"a\":\"tab\there\"}",
                "{\"a\":\"\\x\"}",
                "{\"a\":nul}",
                "{\"a\":1",
                "[{\"choices\":[]}]",
                "{\"a\":\"\u00ff\"}".replace('\u00ff', '\u00fe'))) {
            byte[] bytes = chunk.getBytes(StandardCharsets.ISO_8859_1);
            assertThat(ChunkScanner.scan(bytes, 0, bytes.length)).as(chunk).isSameAs(ChunkScanner.UNSURE);
        }
    }

    @Test
    void shouldNeverReadPastTheEndOfItsRange() {
        byte[] bytes = "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"cut here\"}}]}".getBytes(StandardCharsets.US_ASCII);
        for (int length = 0; length < bytes.length; length++) {
            assertThat(ChunkScanner.scan(bytes, 0, length)).as("first %d bytes", length).isSameAs(ChunkScanner.UNSURE);
        }
    }

    /** Random edits of real chunks: whatever the scanner accepts, Jackson accepts and reads the same. */
    @Test
    void shouldAgreeWithJacksonOnEveryMutatedChunkItAccepts() {
        Random random = new Random(20261123);
        byte[] alphabet = "{}[]:,\"\\ 0123456789-+.eEtrunlfasbu\u00e9\n\t".getBytes(StandardCharsets.UTF_8);
        int accepted = 0;
        for (int round = 0; round < 50_000; round++) {
            byte[] bytes = CHUNKS.get(random.nextInt(CHUNKS.size())).getBytes(StandardCharsets.UTF_8);
            int edits = 1 + random.nextInt(3);
            for (int e = 0; e < edits && bytes.length > 1; e++) {
                int at = random.nextInt(bytes.length);
                switch (random.nextInt(3)) {
                    case 0 -> bytes[at] = alphabet[random.nextInt(alphabet.length)];
                    case 1 -> bytes = remove(bytes, at);
                    default -> bytes = insert(bytes, at, alphabet[random.nextInt(alphabet.length)]);
                }
            }
            ChunkParser.Chunk scanned = ChunkScanner.scan(bytes, 0, bytes.length);
            if (scanned == ChunkScanner.UNSURE) continue;
            accepted++;
            String text = new String(bytes, StandardCharsets.UTF_8);
            try {
                assertThat(scanned).as(text).isEqualTo(ChunkParser.parseWithJackson(JSON, bytes, 0, bytes.length));
            } catch (Exception jacksonRejects) {
                throw new AssertionError("the scanner accepted what Jackson rejects: " + text, jacksonRejects);
            }
        }
        assertThat(accepted).as("mutations the scanner still read itself").isGreaterThan(5_000);
    }

    private static byte[] remove(byte[] bytes, int at) {
        byte[] out = new byte[bytes.length - 1];
        System.arraycopy(bytes, 0, out, 0, at);
        System.arraycopy(bytes, at + 1, out, at, bytes.length - at - 1);
        return out;
    }

    private static byte[] insert(byte[] bytes, int at, byte value) {
        byte[] out = new byte[bytes.length + 1];
        System.arraycopy(bytes, 0, out, 0, at);
        out[at] = value;
        System.arraycopy(bytes, at, out, at + 1, bytes.length - at);
        return out;
    }
}
