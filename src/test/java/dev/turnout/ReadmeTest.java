package dev.turnout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.turnout.admin.RouteChanges;
import dev.turnout.route.RouteCodec;
import dev.turnout.route.RouteTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The README's commands do what its text says they do, against what the repository ships. */
class ReadmeTest {

    private static final String README = read("README.md");

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void shouldRampTheShippedSplitToHalfWithItsPatchExample() throws Exception {
        Matcher example = Pattern.compile("-X PATCH \\$A/admin/aliases/support-bot [^\\n]*ramp v2[^\\n]*\\n\\s*-d '([^']*)'")
                .matcher(README);
        assertThat(example.find()).as("the ramp example").isTrue();
        RouteTable shipped = RouteCodec.fromYaml(read("conf/routes.yaml"));
        RouteTable ramped = RouteChanges.patchAlias(shipped, "support-bot", new ObjectMapper().readTree(example.group(1)));
        Map<String, Double> split = ramped.alias("support-bot").split();
        double total = split.values().stream().mapToDouble(Double::doubleValue).sum();
        assertThat(split.get("support-v2") / total).isEqualTo(0.5);
    }

    @Test
    void shouldStartEverythingTheMultiInstanceRecipeNeedsOnLoopback() {
        int start = README.indexOf("## Several instances on one Redis");
        String recipe = README.substring(README.indexOf("```bash", start), README.indexOf("```\n", README.indexOf("```bash", start) + 7));
        assertThat(recipe).contains("redis-server --bind 127.0.0.1").contains("TURNOUT_HOST=127.0.0.1")
                .doesNotContain("909").doesNotContain("9090");
        // Every background process keeps its output and its errors.
        recipe.lines().filter(line -> line.strip().endsWith("&")).forEach(line -> assertThat(line).contains("> logs/").contains("2>&1"));
    }

    @Test
    void shouldListOnlyCommandLinesThatTheJarParses() {
        int start = README.indexOf("## Command line");
        String block = README.substring(README.indexOf("```bash", start), README.indexOf("```\n", README.indexOf("```bash", start) + 7));
        java.util.List<String> commands = block.lines().filter(line -> line.startsWith("$T ")).toList();
        assertThat(commands).hasSizeGreaterThan(10);
        for (String line : commands) {
            String command = line.substring(3).replaceFirst("\\s+#.*$", "").replace("\"v2 is rude\"", "rude").replace("\"ramp v2\"", "ramp");
            // A redirection (> routes.yaml, < ana.token) is the shell's, not an argument.
            String[] args = command.replaceFirst("\\s*[<>].*$", "").split("\\s+");
            // Parsing checks every subcommand, option and parameter without running anything.
            assertThatCode(() -> new picocli.CommandLine(new Main()).parseArgs(args)).as(line).doesNotThrowAnyException();
        }
    }

    @Test
    void shouldNotPointAtFilesTheRepositoryDoesNotHave() {
        assertThat(README).doesNotContain("DESIGN.md");
        // Every image and relative link (the console's screenshots among them) is a file in the repository.
        java.util.regex.Matcher link = java.util.regex.Pattern.compile("\\]\\(([^)\\s#]+)\\)").matcher(README);
        int relative = 0;
        while (link.find()) {
            String target = link.group(1);
            if (target.startsWith("http://") || target.startsWith("https://")) continue;
            relative++;
            assertThat(java.nio.file.Path.of(target)).as(target).exists();
        }
        assertThat(relative).as("the screenshots, at least").isGreaterThanOrEqualTo(7);
    }

    @Test
    void shouldQuickStartWithCommandsTheJarParses() {
        String quickStart = README.substring(README.indexOf("## The two commands"), README.indexOf("## Use it from an app"));
        java.util.List<String> commands = quickStart.lines().filter(line -> line.startsWith("java -jar target/turnout.jar ")).toList();
        assertThat(commands).hasSizeGreaterThanOrEqualTo(3);
        for (String line : commands) {
            String[] args = line.substring("java -jar target/turnout.jar ".length()).replaceFirst("\\s+#.*$", "")
                    .replaceAll("\"([^\"]*)\"", "quoted").split("\\s+");
            assertThatCode(() -> new picocli.CommandLine(new Main()).parseArgs(args)).as(line).doesNotThrowAnyException();
        }
        assertThat(quickStart).contains("http://127.0.0.1:8081/console/");
    }
}
