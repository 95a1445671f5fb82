package dev.turnout;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * No Docker engine runs where the tests do, so the image's promises are checked on its text: the
 * non-root user can write where the diff log goes, the health check follows the admin port the
 * container is given, and the build context leaves out what must not travel into it.
 */
class DockerfileTest {

    private static final String DOCKERFILE = read("Dockerfile");

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void shouldLogDiffsToADirectoryTheTurnoutUserOwns() {
        Matcher log = Pattern.compile("TURNOUT_DIFF_LOG=(\\S+)").matcher(DOCKERFILE);
        assertThat(log.find()).isTrue();
        String directory = Path.of(log.group(1)).getParent().toString();
        assertThat(directory).isEqualTo("/var/lib/turnout");
        assertThat(DOCKERFILE).contains("mkdir -p " + directory).contains("chown turnout:turnout " + directory);
        // Created and chowned as root, before the image switches to the user that writes there.
        assertThat(DOCKERFILE.indexOf("chown turnout:turnout")).isLessThan(DOCKERFILE.indexOf("USER turnout"));
    }

    @Test
    void shouldCheckHealthOnTheConfiguredAdminPort() {
        String check = DOCKERFILE.substring(DOCKERFILE.indexOf("HEALTHCHECK"), DOCKERFILE.indexOf("ENTRYPOINT"));
        // Shell form: the exec form (CMD [...]) would not expand the variable.
        assertThat(check).contains("CMD curl -fsS \"http://127.0.0.1:${TURNOUT_ADMIN_PORT:-8081}/health/ready\"")
                .doesNotContain("CMD [");
    }

    @Test
    void shouldExposeOnlyTheDataPlane() {
        assertThat(DOCKERFILE.lines().filter(line -> line.startsWith("EXPOSE"))).containsExactly("EXPOSE 8080");
    }

    @Test
    void shouldKeepBuildOutputsHistoryAndLogsOutOfTheBuildContext() {
        List<String> ignored = read(".dockerignore").lines().map(String::strip)
                .filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();
        assertThat(ignored).contains("target/", ".git", "load-tests/", "*.log", "*.jsonl");
        // What the image copies must stay in the context.
        assertThat(ignored).doesNotContain("src", "src/", "conf", "conf/", "pom.xml");
        assertThat(DOCKERFILE).contains("COPY pom.xml .").contains("COPY src src").contains("COPY conf conf");
    }
}
