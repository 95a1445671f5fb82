package dev.turnout.admin;

import static dev.turnout.testing.Fixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.turnout.Gateway;
import dev.turnout.config.GatewayConfig;
import dev.turnout.config.GatewayConfig.Admin.Role;
import dev.turnout.config.GatewayConfig.Admin.Token;
import dev.turnout.config.TokenHash;
import dev.turnout.route.RouteCodec;
import dev.turnout.testing.Fixtures;
import dev.turnout.testing.Http;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How the console is served, without a browser (ConsoleBrowserTest drives it in one): open files, closed data,
 * headers that keep foreign scripts and frames out, and the same Host and origin rules as the API.
 */
class ConsoleRoutesTest {

    private static final String READER = "reader-secret";
    private final Vertx vertx = Vertx.vertx();
    private Gateway gateway;
    private String admin;

    private void start(List<Token> tokens) {
        GatewayConfig config = Fixtures.config(false, 1 << 20)
                .withAdmin(new GatewayConfig.Admin("127.0.0.1", 0, null, List.of(), tokens));
        gateway = Fixtures.gateway(vertx, config, RouteCodec.fromYaml(String.join("\n",
                "versions:", "  v1: { url: 'http://127.0.0.1:9/v1' }", "aliases:", "  bot: { split: { v1: 1 } }", "")), Map.of());
        admin = "http://127.0.0.1:" + gateway.adminPort();
    }

    @AfterEach
    void stop() {
        if (gateway != null) await(gateway.close());
        await(vertx.close());
    }

    @Test
    void shouldServeThePageAndItsModulesWithoutATokenButNoDataWithoutOne() {
        start(List.of(new Token("ana", TokenHash.sha256Hex(READER), Role.READ)));
        HttpResponse<String> page = Http.get(admin + "/console/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("content-type").orElseThrow()).startsWith("text/html");
        assertThat(page.body()).contains("<script type=\"module\" src=\"app.js\"></script>");
        for (String module : List.of("app.js", "api.js", "dom.js", "shell.js", "routes.js", "watch.js", "worddiff.js")) {
            HttpResponse<String> script = Http.get(admin + "/console/" + module);
            assertThat(script.statusCode()).as(module).isEqualTo(200);
            assertThat(script.headers().firstValue("content-type").orElseThrow()).as(module).startsWith("text/javascript");
        }
        assertThat(Http.get(admin + "/console/console.css").headers().firstValue("content-type").orElseThrow()).startsWith("text/css");
        assertThat(Http.get(admin + "/admin/routes").statusCode()).as("the data still needs the token").isEqualTo(401);

        JsonNode session = Http.json(Http.get(admin + "/admin/session", "authorization", "Bearer " + READER));
        assertThat(session.path("tokens").asBoolean()).isTrue();
        assertThat(session.path("name").asText()).isEqualTo("ana");
        assertThat(session.path("role").asText()).isEqualTo("read");
        assertThat(Http.get(admin + "/admin/session").statusCode()).isEqualTo(401);
        assertThat(Http.get(admin + "/admin/session?as=admin", "authorization", "Bearer " + READER).statusCode()).isEqualTo(400);
    }

    @Test
    void shouldSendHeadersThatKeepForeignScriptsFramesAndStaleModulesOut() {
        start(List.of());
        HttpResponse<String> page = Http.get(admin + "/console/");
        assertThat(page.headers().firstValue("content-security-policy").orElseThrow())
                .contains("default-src 'none'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'")
                .doesNotContain("unsafe-inline", "unsafe-eval");
        assertThat(page.headers().firstValue("x-frame-options")).contains("DENY");
        assertThat(page.headers().firstValue("x-content-type-options")).contains("nosniff");
        assertThat(page.headers().firstValue("referrer-policy")).contains("no-referrer");
        assertThat(page.headers().firstValue("cache-control")).contains("no-cache");
        // The page must run under that policy: no inline script or style anywhere in it.
        assertThat(page.body()).doesNotContain("<script>", "style=", " on");
    }

    @Test
    void shouldRedirectTheBarePathAndAnswerUnknownFilesWith404() {
        start(List.of());
        HttpResponse<String> bare = Http.get(admin + "/console");
        assertThat(bare.statusCode()).isEqualTo(302);
        assertThat(bare.headers().firstValue("location")).contains("/console/");
        assertThat(Http.get(admin + "/console/nope.js").statusCode()).isEqualTo(404);
        HttpResponse<String> missing = Http.get(admin + "/console/nope.css");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).contains("\"type\":\"not_found\"");
    }

    @Test
    void shouldNeverServeAFileOutsideTheConsoleFolder() throws IOException {
        start(List.of());
        // Raw requests: an HTTP client would normalise the dots away before sending them.
        assertThat(raw("/console/app.js")).as("the raw request itself works").startsWith("HTTP/1.1 200");
        for (String path : List.of("/console/../sim/answers.json", "/console/%2e%2e/sim/answers.json",
                "/console/..%2fsim%2fanswers.json", "/console/../../dev/turnout/Main.class", "/console/%2e%2e%2f%2e%2e%2fMETA-INF/MANIFEST.MF")) {
            String answer = raw(path);
            assertThat(answer).as(path).doesNotStartWith("HTTP/1.1 200");
        }
    }

    @Test
    void shouldKeepTheApisHostRuleWithoutAToken() throws IOException {
        start(List.of());
        // A page on a rebound name (evil.example resolving to 127.0.0.1) must not get the console either.
        assertThat(raw("/console/", "evil.example")).startsWith("HTTP/1.1 421");
    }

    private String raw(String path) throws IOException {
        return raw(path, "127.0.0.1:" + gateway.adminPort());
    }

    private String raw(String path, String host) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", gateway.adminPort())) {
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }
}
