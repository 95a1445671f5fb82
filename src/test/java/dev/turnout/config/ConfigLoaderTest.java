package dev.turnout.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    @TempDir
    Path dir;

    private Path write(String yaml) throws Exception {
        Path file = dir.resolve("turnout.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    @Test
    void shouldUseDefaultsWithoutAFile() {
        GatewayConfig config = ConfigLoader.load(null, Map.of());
        assertThat(config.server().port()).isEqualTo(8080);
        assertThat(config.server().maxBodyBytes()).isEqualTo(4L << 20);
        assertThat(config.admin().host()).isEqualTo("127.0.0.1");
        assertThat(config.admin().port()).isEqualTo(8081);
        assertThat(config.store().kind()).isEqualTo("memory");
    }

    @Test
    void shouldReadTheFileAndResolveRoutesNextToIt() throws Exception {
        GatewayConfig config = ConfigLoader.load(write("server: { port: 9000, clientAuth: true }\nroutes: routes.yaml\n"
                + "store: { kind: redis, redisUri: 'redis://10.0.0.1:6379' }\n"), Map.of());
        assertThat(config.server().port()).isEqualTo(9000);
        assertThat(config.server().clientAuth()).isTrue();
        assertThat(config.routes()).isEqualTo(dir.resolve("routes.yaml").toAbsolutePath().normalize());
        assertThat(config.store().redis()).isTrue();
        assertThat(config.store().redisUri()).isEqualTo("redis://10.0.0.1:6379");
    }

    @Test
    void shouldLetTheEnvironmentOverrideEverySetting() throws Exception {
        Path file = write("server: { port: 9000 }\n");
        String hash = TokenHash.sha256Hex("t1");
        Map<String, String> env = Map.ofEntries(
                Map.entry("TURNOUT_HOST", "127.0.0.2"), Map.entry("TURNOUT_PORT", "9100"),
                Map.entry("TURNOUT_MAX_BODY_BYTES", "1024"), Map.entry("TURNOUT_CLIENT_AUTH", "true"),
                Map.entry("TURNOUT_EVENT_LOOPS", "3"), Map.entry("TURNOUT_ADMIN_HOST", "0.0.0.0"),
                Map.entry("TURNOUT_ADMIN_PORT", "9101"), Map.entry("TURNOUT_ADMIN_TOKEN", "s3cret"),
                Map.entry("TURNOUT_ROUTES", "other/routes.yaml"), Map.entry("TURNOUT_STORE", "redis"),
                Map.entry("TURNOUT_REDIS_URI", "redis://h:1"), Map.entry("TURNOUT_REDIS_PREFIX", "blue"),
                Map.entry("TURNOUT_HISTORY_LIMIT", "7"), Map.entry("TURNOUT_SHADOW_MAX_IN_FLIGHT", "9"),
                Map.entry("TURNOUT_SHADOW_MAX_IN_FLIGHT_PER_VERSION", "4"), Map.entry("TURNOUT_SHADOW_CAPTURE_BYTES", "1000"),
                Map.entry("TURNOUT_SHADOW_TIMEOUT_MS", "2500"), Map.entry("TURNOUT_DIFF_LOG", "/tmp/d.jsonl"),
                Map.entry("TURNOUT_DIFF_REDACT", "true"), Map.entry("TURNOUT_HEADER_TIMEOUT_MS", "11"),
                Map.entry("TURNOUT_BODY_TIMEOUT_MS", "12"), Map.entry("TURNOUT_IDLE_TIMEOUT_MS", "13"),
                Map.entry("TURNOUT_MAX_BUFFERED_BYTES", "14"), Map.entry("TURNOUT_MAX_CONNECTIONS", "18"), Map.entry("TURNOUT_API_KEY_ENV_ALLOWED", "A_*, B_KEY"),
                Map.entry("TURNOUT_ADMIN_ALLOWED_ORIGINS", "https://console.example"),
                Map.entry("TURNOUT_ADMIN_TOKENS", "ana:read:" + hash),
                Map.entry("TURNOUT_REDIS_COMMAND_TIMEOUT_MS", "15"), Map.entry("TURNOUT_REDIS_MAX_QUEUED_COMMANDS", "16"),
                Map.entry("TURNOUT_SHADOW_PENDING_DIFF_BYTES", "17"),
                Map.entry("TURNOUT_SEMANTIC_ENABLED", "false"), Map.entry("TURNOUT_SEMANTIC_SAMPLE", "0.25"),
                Map.entry("TURNOUT_SEMANTIC_THREADS", "2"), Map.entry("TURNOUT_SEMANTIC_MAX_TOKENS", "256"),
                Map.entry("TURNOUT_SEMANTIC_QUEUE_PAIRS", "8"), Map.entry("TURNOUT_SEMANTIC_NOISE_QUANTILE", "0.1"),
                Map.entry("TURNOUT_SEMANTIC_MIN_NOISE_PAIRS", "40"), Map.entry("TURNOUT_ROLLOUT_LOOK_MS", "250"),
                Map.entry("TURNOUT_ROLLOUT_LEASE_MS", "3000"), Map.entry("TURNOUT_ROLLOUT_PUBLISH_MS", "500"),
                Map.entry("TURNOUT_RECORDING_ENABLED", "true"), Map.entry("TURNOUT_RECORDING_SAMPLE", "0.5"),
                Map.entry("TURNOUT_RECORDING_ALIASES", "a, b"), Map.entry("TURNOUT_RECORDING_MAX_REQUEST_BYTES", "100"),
                Map.entry("TURNOUT_RECORDING_MAX_ANSWER_BYTES", "200"), Map.entry("TURNOUT_RECORDING_MAX_ENTRIES", "300"),
                Map.entry("TURNOUT_RECORDING_MAX_PENDING_BYTES", "400"), Map.entry("TURNOUT_RECORDING_DROP_FIELDS", "user,metadata"),
                Map.entry("TURNOUT_RECORDING_MASK_EMAILS", "false"), Map.entry("TURNOUT_RECORDING_MASK_PHONES", "false"),
                Map.entry("TURNOUT_RECORDING_MASK_PATTERNS", "acct-[0-9]+"));
        assertThat(env.keySet()).containsExactlyInAnyOrderElementsOf(ConfigLoader.ENVIRONMENT.keySet());
        GatewayConfig config = ConfigLoader.load(file, env);
        assertThat(config.server()).isEqualTo(new GatewayConfig.Server("127.0.0.2", 9100, 1024, true, 3, 11, 12, 13, 14, 18,
                List.of("A_*", "B_KEY")));
        assertThat(config.admin()).isEqualTo(new GatewayConfig.Admin("0.0.0.0", 9101, "s3cret",
                List.of("https://console.example"), List.of(new GatewayConfig.Admin.Token("ana", hash, GatewayConfig.Admin.Role.READ))));
        assertThat(config.store()).isEqualTo(new GatewayConfig.Store("redis", "redis://h:1", "blue", 7, 15, 16));
        assertThat(config.shadow()).isEqualTo(new GatewayConfig.Shadow(9, 4, 1000, 2500, 17));
        assertThat(config.diffs()).isEqualTo(new GatewayConfig.Diffs("/tmp/d.jsonl", true,
                new GatewayConfig.Semantic(false, 0.25, 2, 256, 8, 0.1, 40)));
        assertThat(config.routes()).isEqualTo(Path.of("other/routes.yaml"));
        assertThat(config.rollouts()).isEqualTo(new GatewayConfig.Rollouts(250, 3000, 500));
        assertThat(config.recording()).isEqualTo(new GatewayConfig.Recording(true, 0.5, List.of("a", "b"), 100, 200, 300, 400,
                List.of("user", "metadata"), false, false, List.of("acct-[0-9]+")));
    }

    @Test
    void shouldRefuseARecordingMaskThatIsNotARegularExpression() throws Exception {
        Path bad = write("recording: { maskPatterns: ['acct-[0-9'] }\n");
        assertThatThrownBy(() -> ConfigLoader.load(bad, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'recording.maskPatterns' holds a pattern that is not a valid regular expression");
    }

    @Test
    void shouldRefuseALeaseThatCannotOutliveTwoLooks() throws Exception {
        Path bad = write("rollouts: { lookMs: 1000, leaseMs: 1500, publishMs: 0 }\n");
        assertThatThrownBy(() -> ConfigLoader.load(bad, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("rollouts.leaseMs must be at least twice rollouts.lookMs")
                .hasMessageContaining("'rollouts.publishMs' must be 10..60000, got 0");
    }

    @Test
    void shouldLoadTheShippedConfigurationAsTheDefaultsItDocuments() {
        GatewayConfig shipped = ConfigLoader.load(Path.of("conf/turnout.yaml"), Map.of());
        GatewayConfig defaults = GatewayConfig.defaults();
        assertThat(shipped.server()).isEqualTo(defaults.server());
        assertThat(shipped.admin()).isEqualTo(defaults.admin());
        assertThat(shipped.store()).isEqualTo(defaults.store());
        assertThat(shipped.shadow()).isEqualTo(defaults.shadow());
        assertThat(shipped.diffs()).isEqualTo(defaults.diffs());
        assertThat(shipped.rollouts()).isEqualTo(defaults.rollouts());
        assertThat(shipped.recording()).isEqualTo(defaults.recording());
        assertThat(shipped.routes()).isEqualTo(Path.of("conf/routes.yaml").toAbsolutePath().normalize());
    }

    @Test
    void shouldReadTheNestedSemanticSectionAndRejectItsBadValues() throws Exception {
        Path good = write("diffs:\n  semantic: { enabled: true, sample: 0.5, threads: 3, minNoisePairs: 12 }\n");
        assertThat(ConfigLoader.load(good, Map.of()).diffs().semantic())
                .isEqualTo(new GatewayConfig.Semantic(true, 0.5, 3, 512, 64, 0.05, 12));
        Path bad = write("diffs:\n  semantic: { sample: 1.5, threads: 0, noiseQuantile: x, colour: red }\n");
        assertThatThrownBy(() -> ConfigLoader.load(bad, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown key 'diffs.semantic.colour'");
        Path badValues = write("diffs:\n  semantic: { sample: 1.5, threads: 0, noiseQuantile: x }\n");
        assertThatThrownBy(() -> ConfigLoader.load(badValues, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'diffs.semantic.sample' must be a number from 0 to 1, got 1.5")
                .hasMessageContaining("'diffs.semantic.threads' must be 1..64, got 0")
                .hasMessageContaining("'diffs.semantic.noiseQuantile' must be a number from 0 to 1, got 'x'");
        Path notMapping = write("diffs:\n  semantic: yes\n");
        assertThatThrownBy(() -> ConfigLoader.load(notMapping, Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("'diffs.semantic' must be a mapping");
    }

    @Test
    void shouldNameTheFileAndKeyOfAnUnknownSetting() throws Exception {
        Path file = write("server: { prot: 9000 }\n");
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("server.prot");
        Path top = write("sever: {}\n");
        assertThatThrownBy(() -> ConfigLoader.load(top, Map.of())).hasMessageContaining("unknown key 'sever'");
    }

    @Test
    void shouldNameTheSourceOfABadValue() throws Exception {
        Path file = write("server: { port: 70000 }\nstore: { kind: etcd }\n");
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
                .hasMessageContaining(file + ": 'server.port' must be a port")
                .hasMessageContaining("'store.kind' must be one of [memory, redis], got 'etcd'");
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of("TURNOUT_PORT", "eighty", "TURNOUT_STORE", "memory")))
                .hasMessageContaining("environment variable TURNOUT_PORT: 'server.port' must be a whole number, got 'eighty'");
    }

    @Test
    void shouldReadNamedAdminTokens() throws Exception {
        String hash = TokenHash.sha256Hex("t1");
        GatewayConfig config = ConfigLoader.load(write("admin:\n  tokens:\n"
                + "    - { name: ana, sha256: " + hash.toUpperCase() + ", role: read }\n"
                + "    - { name: ci.bot@ops-1, sha256: " + hash + ", role: write }\n"), Map.of());
        assertThat(config.admin().tokens()).containsExactly(
                new GatewayConfig.Admin.Token("ana", hash, GatewayConfig.Admin.Role.READ),
                new GatewayConfig.Admin.Token("ci.bot@ops-1", hash, GatewayConfig.Admin.Role.WRITE));
        assertThat(config.admin().hasToken()).isTrue();
        assertThat(config.admin().toString()).contains("ana(read)").doesNotContain(hash);
    }

    @Test
    void shouldReportEveryBadAdminTokenWithItsIndex() throws Exception {
        String hash = TokenHash.sha256Hex("t1");
        Path file = write("admin:\n  token: legacy\n  tokens:\n"
                + "    - { name: 'has space', sha256: " + hash + ", role: read }\n"
                + "    - { name: ana, sha256: not-a-hash-but-maybe-the-token, role: read }\n"
                + "    - { name: ana, sha256: " + hash + ", role: admin }\n"
                + "    - { name: ana, sha256: " + hash + ", role: read }\n"
                + "    - { name: admin, sha256: " + hash + ", role: write }\n"
                + "    - { name: " + "x".repeat(65) + ", sha256: " + hash + ", role: read, extra: 1 }\n"
                + "    - just-a-string\n");
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'admin.tokens[0].name' must be 1 to 64")
                .hasMessageContaining("'admin.tokens[1].sha256' must be 64 hex characters")
                .hasMessageContaining("'admin.tokens[2].role' must be read or write, got 'admin'")
                .hasMessageContaining("'admin.tokens[3].name' 'ana' is already taken")
                .hasMessageContaining("'admin.tokens[4].name' 'admin' is already taken (by admin.token)")
                .hasMessageContaining("'admin.tokens[5].name' must be 1 to 64")
                .hasMessageContaining("'admin.tokens[5].extra' is unknown")
                .hasMessageContaining("'admin.tokens[6]' must be a mapping")
                .message().doesNotContain("not-a-hash-but-maybe-the-token");
        assertThatThrownBy(() -> ConfigLoader.load(write("admin: { tokens: ana }\n"), Map.of()))
                .hasMessageContaining("'admin.tokens' must be a list");
    }

    @Test
    void shouldReadNamedAdminTokensFromTheEnvironmentInsteadOfTheFile() throws Exception {
        String hash = TokenHash.sha256Hex("t1");
        Path file = write("admin:\n  tokens:\n    - { name: file-only, sha256: " + hash + ", role: write }\n");
        GatewayConfig config = ConfigLoader.load(file, Map.of("TURNOUT_ADMIN_TOKENS",
                " ana:read:" + hash.toUpperCase() + " , ci.bot@ops-1:write:" + hash + ","));
        assertThat(config.admin().tokens()).containsExactly(
                new GatewayConfig.Admin.Token("ana", hash, GatewayConfig.Admin.Role.READ),
                new GatewayConfig.Admin.Token("ci.bot@ops-1", hash, GatewayConfig.Admin.Role.WRITE));
    }

    @Test
    void shouldNameEveryMalformedEnvironmentTokenEntryWithoutEchoingAnyOfIt() {
        String hash = TokenHash.sha256Hex("t1");
        String entries = String.join(",",
                "ana:read:" + hash,
                "bob:plaintext-secret-1",                  // the token pasted where its hash belongs, and no role
                "carol:write:plaintext-secret-2",
                "plaintext+secret/3:write:" + hash,        // fields swapped into the name
                "dave:plaintext-secret-4:" + hash,
                "ana:write:" + hash,
                "erin:read:" + hash + ":extra");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("TURNOUT_ADMIN_TOKENS", entries)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("environment variable TURNOUT_ADMIN_TOKENS: 'admin.tokens[1]' must be name:role:sha256"
                        + " (3 parts separated by ':'), got 2 parts")
                .hasMessageContaining("'admin.tokens[2].sha256' must be 64 hex characters")
                .hasMessageContaining("'admin.tokens[3].name' must be 1 to 64 of A-Z a-z 0-9 . _ @ -")
                .hasMessageContaining("'admin.tokens[4].role' must be read or write")
                .hasMessageContaining("'admin.tokens[5].name' 'ana' is already taken")
                .hasMessageContaining("'admin.tokens[6]' must be name:role:sha256 (3 parts separated by ':'), got 4 parts")
                .message().doesNotContain("plaintext").doesNotContain("secret");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("TURNOUT_ADMIN_TOKENS", ":")))
                .hasMessageContaining("'admin.tokens[0]' must be name:role:sha256 (3 parts separated by ':'), got 2 parts");
    }

    /** In the file the list of mappings names each field, so nothing there is read by position. */
    @Test
    void shouldTakeTheStringFormOfNamedTokensOnlyFromTheEnvironment() throws Exception {
        String hash = TokenHash.sha256Hex("t1");
        assertThatThrownBy(() -> ConfigLoader.load(write("admin: { tokens: 'ana:read:" + hash + "' }\n"), Map.of()))
                .hasMessageContaining("'admin.tokens' must be a list");
    }

    @Test
    void shouldNameTheLegacyTokenAdminWithWriteRole() {
        assertThat(new GatewayConfig.Admin("127.0.0.1", 1, "s3cret").credentials()).containsExactly(
                new GatewayConfig.Admin.Token("admin", TokenHash.sha256Hex("s3cret"), GatewayConfig.Admin.Role.WRITE));
    }

    @Test
    void shouldNotPrintTheAdminToken() {
        assertThat(new GatewayConfig.Admin("127.0.0.1", 1, "s3cret").toString()).doesNotContain("s3cret");
    }

    @Test
    void shouldSayAMissingFileDoesNotExist() {
        Path missing = dir.resolve("nowhere.yaml");
        assertThatThrownBy(() -> ConfigLoader.load(missing, Map.of())).isInstanceOf(ConfigException.class)
                .hasMessage(missing + " does not exist");
    }

    @Test
    void shouldGiveLineAndColumnOfInvalidYaml() throws Exception {
        Path file = write("server:\n  port: 9000\n   host: x: y\n");
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of())).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(file + ": not valid YAML: line 3, column ")
                .hasMessageContaining("mapping values are not allowed here")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("snakeyaml").doesNotContain("jackson")
                        .doesNotContain("Exception").doesNotContain("'reader'").doesNotContain("\n"));
    }
}
