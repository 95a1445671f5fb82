package dev.turnout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.turnout.config.ConfigException;
import dev.turnout.route.RoutePolicy;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** What a newcomer reads when `serve` or `demo` cannot start: one line naming the cause, no stack trace. */
class StartupMessagesTest {

    @TempDir
    Path dir;

    /** The exit code, and what went to standard error (the commands print there, picocli too). */
    private record Run(int exitCode, String err) {}

    private static Run run(String... args) {
        PrintStream saved = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(captured, true, StandardCharsets.UTF_8);
        System.setErr(err);
        try {
            CommandLine turnout = new CommandLine(new Main());
            turnout.setErr(new PrintWriter(err, true));
            return new Run(turnout.execute(args), captured.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(saved);
        }
    }

    private Path config(int port, int adminPort, String routes) throws Exception {
        Files.writeString(dir.resolve("routes.yaml"), "versions: { v1: { url: 'http://127.0.0.1:1/v1' } }\n"
                + "aliases: { bot: { split: { v1: 1 } } }\n");
        Path file = dir.resolve("turnout.yaml");
        Files.writeString(file, "server: { host: 127.0.0.1, port: " + port + " }\n"
                + "admin: { host: 127.0.0.1, port: " + adminPort + " }\n"
                + "routes: " + routes + "\n"
                + "diffs: { log: '', semantic: { enabled: false } }\n");
        return file;
    }

    private static ServerSocket occupied() throws Exception {
        return new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    }

    private static void assertNoStackTrace(String err) {
        assertThat(err).doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("io.netty");
    }

    @Test
    void shouldNameTheDataPlanePortWhenItIsTaken() throws Exception {
        try (ServerSocket taken = occupied()) {
            Run run = run("serve", "--config", config(taken.getLocalPort(), 0, "routes.yaml").toString());
            assertThat(run.exitCode()).isNotZero();
            assertThat(run.err()).contains("the gateway cannot listen on 127.0.0.1:" + taken.getLocalPort()
                    + ": the port is already in use");
            assertNoStackTrace(run.err());
        }
    }

    @Test
    void shouldNameTheAdminPortWhenItIsTaken() throws Exception {
        try (ServerSocket taken = occupied()) {
            Run run = run("serve", "--config", config(0, taken.getLocalPort(), "routes.yaml").toString());
            assertThat(run.exitCode()).isNotZero();
            assertThat(run.err()).contains("the admin API cannot listen on 127.0.0.1:" + taken.getLocalPort()
                    + ": the port is already in use");
            assertNoStackTrace(run.err());
        }
    }

    @Test
    void shouldSayWhichDemoPortIsTakenWithoutAStackTrace() throws Exception {
        try (ServerSocket taken = occupied()) {
            Run run = run("demo", "--port", String.valueOf(taken.getLocalPort()), "--admin-port", "0", "--sim-port", "0");
            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.err()).contains("turnout demo: cannot start: the gateway cannot listen on 127.0.0.1:"
                    + taken.getLocalPort() + ": the port is already in use").contains("--port");
            assertNoStackTrace(run.err());
        }
    }

    @Test
    void shouldSayTheRoutesFileDoesNotExist() throws Exception {
        Run run = run("serve", "--config", config(0, 0, "missing.yaml").toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains(dir.resolve("missing.yaml").toAbsolutePath().normalize() + " does not exist");
        assertNoStackTrace(run.err());
    }

    @Test
    void shouldGiveLineAndColumnOfInvalidYamlInTheRoutesFile() throws Exception {
        Path routes = dir.resolve("bad-routes.yaml");
        Files.writeString(routes, "versions:\n  v1: { url: 'http://127.0.0.1:1/v1'\naliases: {}\n");
        assertThatThrownBy(() -> Gateway.readRoutes(routes, RoutePolicy.UNRESERVED))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(routes + ":")
                .hasMessageContaining("not valid YAML: line 3, column 1: expected ',' or '}', but got <scalar>")
                .hasMessageContaining("while parsing a flow mapping at line 2, column 7")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("snakeyaml").doesNotContain("jackson")
                        .doesNotContain("Exception").doesNotContain("'reader'").doesNotContain("^"));
    }
}
