package dev.turnout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HashTokenCommandTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String stdin) throws Exception {
        return new HashTokenCommand(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)).call();
    }

    @Test
    void shouldPrintTheSha256HexOfTheTokenOnStdin() throws Exception {
        assertThat(run("abc\n")).isZero();
        // SHA-256("abc"), the FIPS 180-2 test vector; the trailing newline is not part of the token.
        assertThat(out.toString(StandardCharsets.UTF_8))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" + System.lineSeparator());
    }

    @Test
    void shouldRefuseAnEmptyStdin() throws Exception {
        assertThat(run("")).isEqualTo(2);
        assertThat(out.size()).isZero();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("No token on stdin");
    }
}
