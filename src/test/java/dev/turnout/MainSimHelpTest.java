package dev.turnout;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MainSimHelpTest {

    @Test
    void shouldListTheParaphraseAndContradictOptionsInSimHelp() {
        StringWriter out = new StringWriter();
        CommandLine turnout = new CommandLine(new Main());
        turnout.setOut(new PrintWriter(out));
        assertThat(turnout.execute("sim", "--help")).isZero();
        String help = out.toString().replaceAll("\\s+", " ");
        assertThat(help).contains("--paraphrase Same meaning per prompt in every version, new wording per request.")
                .contains("--contradict=<contradict> Share of answers reversing the facts in mostly the same words, 0..1.");
    }

    @Test
    void shouldRefuseAContradictShareOutsideZeroToOne() {
        StringWriter err = new StringWriter();
        CommandLine turnout = new CommandLine(new Main());
        turnout.setErr(new PrintWriter(err));
        java.io.PrintStream saved = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(captured, true));
        try {
            assertThat(turnout.execute("sim", "--name", "v1", "--contradict", "1.5")).isEqualTo(2);
        } finally {
            System.setErr(saved);
        }
        assertThat(captured.toString()).contains("turnout sim: --contradict must be in [0, 1], got 1.5");
    }
}
