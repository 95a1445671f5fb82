package dev.turnout.hostile;

import static dev.turnout.testing.Fixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.Gateway;
import dev.turnout.config.GatewayConfig;
import dev.turnout.hostile.RawHttp.Answer;
import dev.turnout.route.RouteCodec;
import dev.turnout.store.RouteStore;
import dev.turnout.testing.Fixtures;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The admin API against what a web page in the operator's browser, a DNS-rebinding page, or an
 * admin's own mistake can send: raw HTTP over a real socket, with exactly the Host, Origin and
 * Content-Type the attack uses.
 */
class HostileAdminTest {

    private static final String ROUTES = String.join("\n",
            "versions:",
            "  v1: { url: 'http://127.0.0.1:9/v1' }",
            "  v2: { url: 'http://127.0.0.1:9/v1' }",
            "aliases:",
            "  bot: { split: { v1: 90, v2: 10 } }",
            "");
    private static final String CONSOLE = "https://console.example.com";

    private final Vertx vertx = Vertx.vertx();
    private Gateway gateway;

    private int start(String token) {
        GatewayConfig config = Fixtures.config(false, 1 << 20)
                .withAdmin(new GatewayConfig.Admin("127.0.0.1", 0, token, List.of(CONSOLE + "/")));
        gateway = await(Gateway.start(vertx, config, RouteStore.memory(100), RouteCodec.fromYaml(ROUTES),
                Map.<String, String>of()::get));
        return gateway.adminPort();
    }

    @AfterEach
    void stop() {
        if (gateway != null) await(gateway.close());
        await(vertx.close());
    }

    private long revision() {
        return gateway.store().current().revision();
    }

    private static RawHttp json(int port) {
        return RawHttp.to(port).header("Content-Type", "application/json");
    }

    @Test
    void shouldRefuseRollbacksAPageCanSendWithoutPreflight() {
        int port = start(null);
        assertThat(json(port).send("PATCH", "/admin/aliases/bot", "{\"split\":{\"v2\":50}}").status()).isEqualTo(200);

        // <form enctype="text/plain"> and fetch(..., {mode: "no-cors"}) need no preflight.
        Answer textPlain = RawHttp.to(port).header("Content-Type", "text/plain")
                .send("POST", "/admin/rollback", "{\"reason\":\"gotcha\"}");
        assertThat(textPlain.status()).as(textPlain.body()).isEqualTo(415);
        assertThat(textPlain.json().at("/error/type").asText()).isEqualTo("unsupported_media_type");
        assertThat(textPlain.json().at("/error/message").asText()).contains("application/json").contains("text/plain");
        assertThat(RawHttp.to(port).send("POST", "/admin/rollback", null).status()).isEqualTo(415);
        assertThat(revision()).isEqualTo(2);

        Answer rolledBack = json(port).header("Content-Type", "application/json; charset=utf-8")
                .send("POST", "/admin/rollback", null);
        assertThat(rolledBack.status()).as(rolledBack.body()).isEqualTo(200);
        assertThat(revision()).isEqualTo(3);
    }

    @Test
    void shouldRefuseAForeignOriginButAcceptListedAndOwnOrigins() {
        int port = start(null);
        Answer foreign = json(port).header("Origin", "http://evil.example").send("PATCH", "/admin/aliases/bot",
                "{\"split\":{\"v2\":100}}");
        assertThat(foreign.status()).as(foreign.body()).isEqualTo(403);
        assertThat(foreign.json().at("/error/type").asText()).isEqualTo("forbidden_origin");
        assertThat(foreign.json().at("/error/message").asText()).contains("http://evil.example").contains("admin.allowedOrigins");
        assertThat(RawHttp.to(port).header("Origin", "null").send("GET", "/admin/routes", null).status()).isEqualTo(403);
        assertThat(revision()).isEqualTo(1);

        assertThat(json(port).header("Origin", CONSOLE).send("PATCH", "/admin/aliases/bot", "{\"split\":{\"v2\":20}}")
                .status()).isEqualTo(200);
        assertThat(RawHttp.to(port).header("Origin", "http://127.0.0.1:" + port).send("GET", "/admin/routes", null)
                .status()).isEqualTo(200);
    }

    @Test
    void shouldRefuseANonLoopbackHostWithoutATokenSoDnsRebindingReadsNothing() {
        int port = start(null);
        Answer rebound = RawHttp.to(port).header("Host", "attacker.example:" + port).send("GET", "/admin/routes", null);
        assertThat(rebound.status()).as(rebound.body()).isEqualTo(421);
        assertThat(rebound.json().at("/error/type").asText()).isEqualTo("misdirected_request");
        assertThat(rebound.json().at("/error/message").asText()).contains("attacker.example").contains("TURNOUT_ADMIN_TOKEN");
        assertThat(rebound.body()).doesNotContain("versions");
        assertThat(json(port).header("Host", "attacker.example").send("POST", "/admin/rollback", null).status())
                .isEqualTo(421);
        assertThat(RawHttp.to(port).header("Host", "127.0.0.1.attacker.example").send("GET", "/metrics", null).status())
                .isEqualTo(421);

        for (String host : List.of("localhost:" + port, "LOCALHOST", "127.0.0.1", "[::1]:" + port)) {
            assertThat(RawHttp.to(port).header("Host", host).send("GET", "/admin/routes", null).status()).as(host).isEqualTo(200);
        }
    }

    @Test
    void shouldStillCheckTheOriginWhenATokenIsSet() {
        int port = start("s3cret");
        RawHttp authorized = RawHttp.to(port).header("Authorization", "Bearer s3cret").header("Host", "admin.internal:" + port);
        // With a token, any Host may be used (behind a proxy), but the browser check stays.
        assertThat(authorized.send("GET", "/admin/routes", null).status()).isEqualTo(200);
        Answer fromPage = authorized.header("Origin", "https://evil.example").send("GET", "/admin/routes", null);
        assertThat(fromPage.status()).as(fromPage.body()).isEqualTo(403);
    }

    @Test
    void shouldAnswer415ToFormsAndOtherTypesInsteadOfParsingThem() {
        int port = start(null);
        // What `curl -d @routes.json` sends: vertx-web's BodyHandler decoded it as a form, and Netty's decoder
        // failed with TooLongFormFieldException (a 500) once the JSON, one "field name" without '=', passed 1 KiB.
        String document = "{\"versions\":{\"v1\":{\"url\":\"http://127.0.0.1:9/v1\",\"model\":\"" + "m".repeat(2_000) + "\"}}}";
        Answer form = RawHttp.to(port).header("Content-Type", "application/x-www-form-urlencoded")
                .send("PUT", "/admin/routes", document);
        assertThat(form.status()).as(form.body()).isEqualTo(415);
        assertThat(form.json().at("/error/message").asText()).contains("application/x-www-form-urlencoded");
        Answer multipart = RawHttp.to(port).header("Content-Type", "multipart/form-data; boundary=b")
                .send("PUT", "/admin/routes", "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n" + "y".repeat(3_000)
                        + "\r\n--b--\r\n");
        assertThat(multipart.status()).as(multipart.body()).isEqualTo(415);
        assertThat(RawHttp.to(port).header("Content-Type", "application/xml").send("DELETE", "/admin/versions/v2", null)
                .status()).isEqualTo(415);
        assertThat(revision()).isEqualTo(1);
    }

    @Test
    void shouldTakeYamlOnPutRoutesAndMergePatchOnPatch() {
        int port = start(null);
        String yaml = ROUTES.replace("v1: 90, v2: 10", "v1: 1, v2: 3") + "# a comment, as in conf/routes.yaml\n";
        Answer put = RawHttp.to(port).header("Content-Type", "application/yaml").send("PUT", "/admin/routes", yaml);
        assertThat(put.status()).as(put.body()).isEqualTo(200);
        assertThat(gateway.store().current().alias("bot").split()).isEqualTo(Map.of("v1", 1.0, "v2", 3.0));

        Answer broken = RawHttp.to(port).header("Content-Type", "text/yaml").send("PUT", "/admin/routes", "versions: [");
        assertThat(broken.status()).isEqualTo(400);
        assertThat(broken.json().at("/error/message").asText()).contains("not valid YAML");

        Answer patched = RawHttp.to(port).header("Content-Type", "application/merge-patch+json")
                .send("PATCH", "/admin/aliases/bot", "{\"split\":{\"v2\":null}}");
        assertThat(patched.status()).as(patched.body()).isEqualTo(200);
        assertThat(gateway.store().current().alias("bot").split()).isEqualTo(Map.of("v1", 1.0));
    }

    @Test
    void shouldRefuseABreakerWindowThatWouldCrashEveryInstanceOnItsFirstRequest() {
        int port = start(null);
        for (String window : List.of("2147483647", "4294967301", "20.5", "-1")) {
            Answer refused = json(port).send("PUT", "/admin/versions/v1",
                    "{\"url\":\"http://127.0.0.1:9/v1\",\"breaker\":{\"window\":" + window + ",\"minimumCalls\":5}}");
            assertThat(refused.status()).as(window + ": " + refused.body()).isEqualTo(422);
            assertThat(refused.json().at("/error/errors").toString())
                    .contains("versions.v1.breaker.window: must be a whole number from 1 to 1000, got " + window);
        }
        assertThat(revision()).isEqualTo(1);
    }

    @Test
    void shouldRefuseAnApiKeyEnvThatNamesAnyOtherVariableOfTheGateway() {
        int port = start(null);
        Answer foreign = json(port).send("PUT", "/admin/versions/v3",
                "{\"url\":\"http://attacker.example/v1\",\"apiKeyEnv\":\"JAVA_TOOL_OPTIONS\"}");
        assertThat(foreign.status()).as(foreign.body()).isEqualTo(422);
        assertThat(foreign.json().at("/error/errors/0").asText()).startsWith("versions.v3.apiKeyEnv: 'JAVA_TOOL_OPTIONS'")
                .contains("[*_API_KEY]").contains("server.apiKeyEnvAllowed");
        Answer own = json(port).send("PUT", "/admin/versions/v3",
                "{\"url\":\"http://attacker.example/v1\",\"apiKeyEnv\":\"TURNOUT_ADMIN_TOKEN\"}");
        assertThat(own.status()).isEqualTo(422);
        assertThat(own.json().at("/error/errors/0").asText()).contains("gateway's own settings");
        assertThat(revision()).isEqualTo(1);

        assertThat(json(port).send("PUT", "/admin/versions/v3",
                "{\"url\":\"https://api.openai.com/v1\",\"apiKeyEnv\":\"OPENAI_API_KEY\"}").status()).isEqualTo(200);
    }
}
