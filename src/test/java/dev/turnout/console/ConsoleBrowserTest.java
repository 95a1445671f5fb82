package dev.turnout.console;

import static dev.turnout.testing.Fixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.turnout.Gateway;
import dev.turnout.config.GatewayConfig;
import dev.turnout.config.TokenHash;
import dev.turnout.route.RouteCodec;
import dev.turnout.route.RouteTable;
import dev.turnout.sim.SimOptions;
import dev.turnout.sim.SimServer;
import dev.turnout.testing.Fixtures;
import dev.turnout.testing.Http;
import io.vertx.core.Vertx;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real browser (headless Chromium through Selenium) against a real gateway over simulated
 * versions, with named admin tokens: sign in, change a weight through its previewed diff, find the change in the
 * history, roll it back, read a shadow diff sample side by side, steer a rollout, read a probe's results; and what
 * a read-only token and hostile text cannot do.
 */
class ConsoleBrowserTest {

    private static final String OPS_TOKEN = "ops-secret-token-1";
    private static final String VIEWER_TOKEN = "viewer-secret-token-2";
    private static ChromeDriver browser;

    private final Vertx vertx = Vertx.vertx();
    private Gateway gateway;
    private String admin;
    private String data;

    @BeforeAll
    static void startBrowser() {
        if (Browser.installed()) browser = Browser.start(); // else each test is skipped (or failed) with the reason
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) browser.quit();
    }

    @BeforeEach
    void start() {
        Browser.assumeInstalled();
        SimServer v1 = Fixtures.sim(vertx, SimOptions.defaults("support-v1").withParaphrase(true).withSkill(true));
        SimServer v2 = Fixtures.sim(vertx, SimOptions.defaults("support-v2").withParaphrase(true).withSkill(true));
        SimServer v3 = Fixtures.sim(vertx, SimOptions.defaults("support-v3").withParaphrase(true).withContradict(1.0));
        GatewayConfig config = Fixtures.config(false, 1 << 20)
                .withRollouts(new GatewayConfig.Rollouts(100, 1_000, 100))
                // Every support-bot request is recorded, so a replay has something to send.
                .withRecording(GatewayConfig.Recording.defaults().on(1.0, List.of("support-bot")))
                .withAdmin(new GatewayConfig.Admin("127.0.0.1", 0, null, List.of(), List.of(
                        new GatewayConfig.Admin.Token("ops", TokenHash.sha256Hex(OPS_TOKEN), GatewayConfig.Admin.Role.WRITE),
                        new GatewayConfig.Admin.Token("viewer", TokenHash.sha256Hex(VIEWER_TOKEN), GatewayConfig.Admin.Role.READ))));
        gateway = Fixtures.gateway(vertx, config, RouteCodec.fromYaml(String.join("\n",
                "versions:",
                "  support-v1: { url: '" + v1.baseUrl() + "' }",
                "  support-v2: { url: '" + v2.baseUrl() + "' }",
                "  support-v3: { url: '" + v3.baseUrl() + "' }",
                "aliases:",
                "  support-bot: { split: { support-v1: 100 }, shadow: [ { version: support-v3, sample: 1 } ] }",
                "")), Map.of());
        admin = "http://127.0.0.1:" + gateway.adminPort();
        data = "http://127.0.0.1:" + gateway.port();
    }

    @AfterEach
    void stop() {
        if (browser != null) assertThat(Browser.pageErrors(browser)).as("script errors or blocked loads in the page").isEmpty();
        if (gateway != null) await(gateway.close());
        await(vertx.close());
    }

    @Test
    void shouldSignInChangeAWeightSeeItInHistoryAndRollItBack() throws Exception {
        signIn("not-the-token");
        assertThat(waitFor(By.id("login-error")).getText()).contains("refused");
        signIn(OPS_TOKEN);
        assertThat(waitFor(By.id("identity")).getText()).isEqualTo("signed in as ops (write)");
        WebElement alias = waitFor(By.id("alias-support-bot"));
        assertThat(alias.findElement(By.cssSelector("tr[data-version='support-v1'] td.weight")).getText()).isEqualTo("100");
        Browser.screenshot(browser, "aliases");
        long before = current().revision();

        alias.findElement(By.cssSelector("button.edit-weights")).click();
        setValue(alias.findElement(By.cssSelector("input[name='support-v1']")), "50");
        setValue(alias.findElement(By.cssSelector("input[name='support-v2']")), "50");
        alias.findElement(By.cssSelector("input[name='reason']")).sendKeys("ramp v2 from the console");
        alias.findElement(By.cssSelector("button.preview-change")).click();
        waitFor(By.cssSelector("#alias-support-bot .preview .change"));
        List<String> changes = texts(alias, By.cssSelector(".preview .change"));
        assertThat(changes).containsExactlyInAnyOrder(
                "aliases.support-bot.split.support-v1: 100 → 50", "aliases.support-bot.split.support-v2: absent → 50");
        assertThat(current().revision()).as("a preview writes nothing").isEqualTo(before);
        Browser.screenshot(browser, "weight-preview");

        click(By.cssSelector("#alias-support-bot button.confirm"));
        assertThat(waitForText(By.id("notice"), "Applied")).contains("revision " + (before + 1));
        assertThat(current().alias("support-bot").split()).containsEntry("support-v1", 50.0).containsEntry("support-v2", 50.0);

        browser.get(admin + "/console/#/history");
        WebElement newest = waitFor(By.cssSelector("#history tr.revision[data-revision='" + (before + 1) + "']"));
        assertThat(newest.findElement(By.cssSelector("td.author")).getText()).as("the token's name, not a header").isEqualTo("ops");
        assertThat(newest.findElement(By.cssSelector("td.reason")).getText()).isEqualTo("ramp v2 from the console");
        newest.findElement(By.cssSelector("button.show-changes")).click();
        waitForText(By.cssSelector("#history tr.details:not([hidden])"), "aliases.support-bot.split.support-v2");
        Browser.screenshot(browser, "history");

        WebElement first = browser.findElement(By.cssSelector("#history tr.revision[data-revision='" + before + "']"));
        first.findElement(By.cssSelector("button.rollback")).click();
        WebElement confirm = waitFor(By.cssSelector("#history button.confirm-rollback"));
        browser.findElement(By.cssSelector("#history tr.details:not([hidden]) input[name='reason']")).sendKeys("v2 is rude");
        confirm.click();
        assertThat(waitForText(By.id("notice"), "Rolled back")).contains("revision " + (before + 2));
        assertThat(current().alias("support-bot").split()).containsOnlyKeys("support-v1").containsEntry("support-v1", 100.0);
        WebElement rollback = waitFor(By.cssSelector("#history tr.revision[data-revision='" + (before + 2) + "']"));
        assertThat(rollback.findElement(By.cssSelector("td.reason")).getText()).isEqualTo("v2 is rude");
        assertThat(rollback.getText()).contains("rollback");
        JsonNode history = Http.json(Http.get(admin + "/admin/history?limit=1", "authorization", "Bearer " + OPS_TOKEN));
        assertThat(history.get(0).path("author").asText()).isEqualTo("ops");
        assertThat(history.get(0).path("action").asText()).isEqualTo("rollback to " + before);
    }

    @Test
    void shouldShowADiffSampleSideBySideWithTheChangedWordsMarkedAndHostileTextAsText() throws Exception {
        String hostile = "<img src=x onerror=\\\"document.title='pwned'\\\"> My order has not arrived";
        List<HttpResponse<String>> answers = Http.sendAll(java.util.stream.IntStream.range(0, 12).mapToObj(i -> Http.post(
                data + "/v1/chat/completions", "{\"model\":\"support-bot\",\"messages\":[{\"role\":\"user\",\"content\":\""
                        + hostile + " " + i + "\"}]}", "content-type", "application/json")).toList(), 4);
        assertThat(answers).allSatisfy(answer -> assertThat(answer.statusCode()).isEqualTo(200));
        awaitApi("/admin/diffs/samples?candidate=support-v3", samples -> samples.size() >= 12);

        signIn(OPS_TOKEN);
        waitFor(By.id("alias-support-bot"));
        browser.findElement(By.cssSelector("nav a[data-view='diffs']")).click();
        WebElement report = waitFor(By.cssSelector("#diff-report tr.entry"));
        assertThat(report.getText()).contains("support-bot", "support-v1", "support-v3", "12");
        report.findElement(By.cssSelector("a.samples")).click();
        WebElement sample = waitFor(By.cssSelector("#samples .sample"));
        List<WebElement> sides = sample.findElements(By.cssSelector(".side"));
        assertThat(sides).hasSize(2);
        JsonNode worst = Http.json(Http.get(admin + "/admin/diffs/samples?alias=support-bot&primary=support-v1&candidate=support-v3&sort=least_similar&limit=1",
                "authorization", "Bearer " + OPS_TOKEN)).get(0);
        assertThat(sides.get(0).getText()).isEqualTo("primary support-v1\n" + worst.path("primaryText").asText());
        assertThat(sides.get(1).getText()).isEqualTo("candidate support-v3\n" + worst.path("candidateText").asText());
        // Marked runs are words the other side lacks: each is in its own side's answer, and not every word is marked.
        List<String> onlyPrimary = texts(sample, By.cssSelector(".only-primary"));
        List<String> onlyCandidate = texts(sample, By.cssSelector(".only-candidate"));
        assertThat(onlyPrimary).isNotEmpty().allSatisfy(run -> assertThat(worst.path("primaryText").asText()).contains(run.trim()));
        assertThat(onlyCandidate).isNotEmpty().allSatisfy(run -> assertThat(worst.path("candidateText").asText()).contains(run.trim()));
        assertThat(String.join("", onlyCandidate).length()).isLessThan(worst.path("candidateText").asText().length());
        Browser.screenshot(browser, "diff-samples");

        // This gateway keeps its routes in memory: there is no fleet stream, and the page says so.
        click(By.cssSelector("#diff-scope button.scope-fleet"));
        assertThat(waitForText(By.cssSelector("#notice.error"), "fleet_needs_redis")).contains("409");
        assertThat(waitFor(By.cssSelector("#diff-scope button.scope-instance.primary")).getText()).isEqualTo("this instance");
        assertThat(waitFor(By.cssSelector("#diff-report tr.entry")).getText()).contains("support-v3");
        browser.findElement(By.cssSelector("#diff-report a.samples")).click();
        sample = waitFor(By.cssSelector("#samples .sample"));

        sample.findElement(By.tagName("summary")).click();
        assertThat(sample.findElement(By.tagName("pre")).getText()).contains("<img src=x onerror=");
        assertThat(browser.findElements(By.cssSelector("#samples img"))).as("request text is shown, never parsed").isEmpty();
        assertThat(browser.getTitle()).isEqualTo("Turnout console");
    }

    @Test
    void shouldLetAReadOnlyTokenLookButNotWrite() {
        signIn(VIEWER_TOKEN);
        assertThat(waitFor(By.id("identity")).getText()).isEqualTo("signed in as viewer (read)");
        WebElement edit = waitFor(By.cssSelector("#alias-support-bot button.edit-weights"));
        assertThat(edit.isEnabled()).isFalse();
        assertThat(edit.getAttribute("title")).isEqualTo("your token may only read");
        browser.get(admin + "/console/#/history");
        waitFor(By.cssSelector("#history tr.revision"));
        browser.get(admin + "/console/#/instances");
        assertThat(waitForText(By.id("main"), "converged")).contains("memory");

        click(By.id("sign-out"));
        waitFor(By.id("login"));
        assertThat(browser.executeScript("return sessionStorage.getItem('turnout.adminToken')")).isNull();
    }

    @Test
    void shouldAddAVersionAndAnAliasAsJsonAndRefuseToDeleteAVersionInUse() throws Exception {
        signIn(OPS_TOKEN);
        click(By.cssSelector("button.new-version"));
        WebElement editor = waitFor(By.cssSelector("#versions + .row + .editor"));
        editor.findElement(By.cssSelector("input[name='name']")).sendKeys("support-v4");
        setJson(editor, "{\"url\": \"http://127.0.0.1:9/v1\", \"model\": \"ft:support:v4\"}");
        editor.findElement(By.cssSelector("button.preview-change")).click();
        waitForText(By.cssSelector(".preview .changes"), "versions.support-v4");
        assertThat(current().versions()).doesNotContainKey("support-v4");
        editor.findElement(By.cssSelector("button.confirm")).click();
        waitForText(By.id("notice"), "Applied: version written");
        assertThat(current().versions().get("support-v4").model()).isEqualTo("ft:support:v4");

        click(By.cssSelector("button.new-alias"));
        WebElement aliasEditor = waitFor(By.cssSelector("button.new-alias")).findElement(By.xpath("../following-sibling::div[1]"));
        aliasEditor.findElement(By.cssSelector("input[name='name']")).sendKeys("canary");
        setJson(aliasEditor, "{\"split\": {\"support-v4\": 1}, \"pins\": {\"beta-tester-7\": \"support-v4\"}}");
        aliasEditor.findElement(By.cssSelector("button.preview-change")).click();
        waitForText(By.cssSelector(".preview .changes"), "aliases.canary");
        aliasEditor.findElement(By.cssSelector("button.confirm")).click();
        waitForText(By.id("notice"), "Applied: alias written");
        assertThat(waitFor(By.id("alias-canary")).getText()).contains("beta-tester-7 → support-v4");
        assertThat(current().alias("canary").pins()).containsEntry("beta-tester-7", "support-v4");

        // A version still in use: the dry run already says 409 and names each use; nothing changes.
        long revision = current().revision();
        click(By.cssSelector("#versions tr[data-version='support-v4'] button.delete-version"));
        click(By.cssSelector("#versions ~ .editor button.preview-change"));
        String refusal = waitForText(By.cssSelector("#notice.error"), "409 in_use");
        assertThat(refusal).contains("aliases.canary.split.support-v4", "aliases.canary.pins.beta-tester-7");
        assertThat(current().revision()).isEqualTo(revision);

        // The editor takes YAML as the routes file is written, and a broken document gets the API's own 400.
        click(By.cssSelector("#alias-canary button.edit-json"));
        WebElement canaryEditor = waitFor(By.cssSelector("#alias-canary .editor textarea")).findElement(By.xpath(".."));
        setJson(canaryEditor, "{\"split\": ");
        canaryEditor.findElement(By.cssSelector("button.preview-change")).click();
        assertThat(waitForText(By.cssSelector("#notice.error"), "400 bad_request")).contains("not valid JSON");
        setJson(canaryEditor, "# as in routes.yaml\nsplit: { support-v4: 1 }\nfallback: support-v1\n");
        canaryEditor.findElement(By.cssSelector("button.preview-change")).click();
        waitForText(By.cssSelector("#alias-canary .preview .changes"), "aliases.canary.fallback");
        canaryEditor.findElement(By.cssSelector("button.confirm")).click();
        waitForText(By.id("notice"), "Applied: alias written");
        assertThat(current().alias("canary").fallback()).isEqualTo("support-v1");
        assertThat(current().alias("canary").pins()).as("PUT replaces the alias").isEmpty();
        Browser.screenshot(browser, "versions");
    }

    @Test
    void shouldReplaceTheWholeTableWithTheYamlFileAsKeptInGit() {
        signIn(OPS_TOKEN);
        click(By.cssSelector("button.edit-table"));
        WebElement area = waitFor(By.cssSelector("textarea[name='routes']"));
        assertThat(area.getAttribute("value")).contains("\"support-bot\"").doesNotContain("\"revision\"");
        String yaml = String.join("\n",
                "# routes.yaml, as kept in git",
                "versions:",
                "  support-v1: { url: '" + current().versions().get("support-v1").url() + "' }",
                "  support-v2: { url: '" + current().versions().get("support-v2").url() + "' }",
                "aliases:",
                "  support-bot: { split: { support-v1: 80, support-v2: 20 } }",
                "");
        browser.executeScript("arguments[0].value = arguments[1]", area, yaml);
        WebElement editor = area.findElement(By.xpath(".."));
        editor.findElement(By.cssSelector("button.preview-change")).click();
        String changes = waitForText(By.cssSelector(".preview .changes"), "versions.support-v3");
        assertThat(changes).contains("aliases.support-bot.split.support-v2: absent → 20", "aliases.support-bot.shadow");
        editor.findElement(By.cssSelector("button.confirm")).click();
        waitForText(By.id("notice"), "Applied: the route table replaced");
        assertThat(current().alias("support-bot").split()).containsEntry("support-v1", 80.0).containsEntry("support-v2", 20.0);
        assertThat(current().versions()).doesNotContainKey("support-v3");
    }

    @Test
    void shouldStartARolloutReadItsJudgementAndPauseIt() throws Exception {
        signIn(OPS_TOKEN);
        browser.get(admin + "/console/#/rollouts");
        click(By.cssSelector("button.start-rollout"));
        setJson(waitFor(By.cssSelector("button.create-rollout")).findElement(By.xpath("../..")), "{\"alias\":\"support-bot\","
                + "\"candidate\":\"support-v2\",\"steps\":[{\"weight\":10,\"minRequests\":1000},{\"weight\":100}],"
                + "\"criteria\":{\"errorRate\":{\"maxIncrease\":0.05}}}");
        click(By.cssSelector("button.create-rollout"));
        waitForText(By.id("notice"), "started");
        String id = Http.json(Http.get(admin + "/admin/rollouts", "authorization", "Bearer " + OPS_TOKEN)).path("rollouts").get(0).path("id").asText();
        assertThat(waitForText(By.id("rollout"), id)).contains("support-v2 on support-bot", "running");
        waitForText(By.cssSelector("#rollout .step.current"), "10%");
        awaitApi("/admin/routes", routes -> routes.path("aliases").path("support-bot").path("split").path("support-v2").asDouble() == 10);
        // The engine's first look lands after the page was drawn: the view refreshes itself to show it.
        assertThat(waitForText(By.id("rollout"), "mSPRT")).contains("errorRate", "inconclusive");
        click(By.cssSelector("#rollout button.action-pause"));
        waitForText(By.id("notice"), "pause accepted");
        awaitApi("/admin/rollouts/" + id, doc -> doc.path("state").asText().equals("paused"));
        waitForText(By.cssSelector("#rollouts"), "paused by ops");
        Browser.screenshot(browser, "rollout");
    }

    @Test
    void shouldUploadAGoldenSetDefineAProbeRunItAndPinABaseline() throws Exception {
        signIn(OPS_TOKEN);
        browser.get(admin + "/console/#/golden");
        click(By.cssSelector("button.upload-set"));
        browser.findElement(By.cssSelector("input[name='set-name']")).sendKeys("arith");
        setValue(browser.findElement(By.cssSelector("textarea[name='set-lines']")), String.join("\n",
                "{\"id\":\"a\",\"messages\":[{\"role\":\"user\",\"content\":\"What is 48 + 27?\"}],\"check\":{\"kind\":\"number\",\"value\":75}}",
                "{\"id\":\"b\",\"messages\":[{\"role\":\"user\",\"content\":\"What is 10 + 5?\"}],\"check\":{\"kind\":\"number\",\"value\":15}}"));
        click(By.cssSelector("button.save-set"));
        assertThat(waitForText(By.id("notice"), "Golden set arith saved")).contains("2 items");
        assertThat(waitFor(By.id("golden-set")).getText()).contains("What is 48 + 27?");

        browser.get(admin + "/console/#/probes");
        click(By.cssSelector("button.define-probe"));
        browser.findElement(By.cssSelector("input[name='probe-name']")).sendKeys("watch");
        setJson(waitFor(By.cssSelector("button.save-probe")).findElement(By.xpath("../..")), "{\"set\":\"arith\",\"versions\":[\"support-v1\"]}");
        click(By.cssSelector("button.save-probe"));
        waitForText(By.id("notice"), "Probe watch saved");
        for (int run = 1; run <= 3; run++) {
            click(By.cssSelector(".probe button.run-probe"));
            waitForText(By.id("notice"), "Probe watch ran");
            int runs = run;
            awaitApi("/admin/probes/watch/results", doc -> doc.path("runs").size() == runs);
        }
        WebElement card = waitFor(By.cssSelector(".probe"));
        assertThat(card.getText()).contains("support-v1", "100.0%", "steady", "last 3 runs");
        String points = card.findElement(By.cssSelector("svg.spark polyline")).getAttribute("points");
        assertThat(points.trim().split(" ")).as("one point per run").hasSize(3);
        Browser.screenshot(browser, "probes");

        String latest = Http.json(Http.get(admin + "/admin/probes/watch/results?limit=1", "authorization", "Bearer " + OPS_TOKEN))
                .path("runs").get(0).path("id").asText();
        click(By.cssSelector(".probe tr[data-version='support-v1'] button.baseline"));
        waitForText(By.id("notice"), "baseline for watch is now run " + latest);
    }

    @Test
    void shouldReplayRecordedTrafficAndShowItsReport() throws Exception {
        List<HttpResponse<String>> answers = Http.sendAll(java.util.stream.IntStream.range(0, 6).mapToObj(i -> Http.post(
                data + "/v1/chat/completions", "{\"model\":\"support-bot\",\"messages\":[{\"role\":\"user\",\"content\":\"question "
                        + i + "\"}]}", "content-type", "application/json")).toList(), 3);
        assertThat(answers).allSatisfy(answer -> assertThat(answer.statusCode()).isEqualTo(200));
        new WebDriverWait(browser, Duration.ofSeconds(20)).until(ignored -> Http.get(admin + "/metrics", "authorization", "Bearer " + OPS_TOKEN)
                .body().lines().anyMatch(line -> line.equals("turnout_recorded_total 6.0")) ? Boolean.TRUE : null);

        signIn(OPS_TOKEN);
        browser.get(admin + "/console/#/replays");
        click(By.cssSelector("button.start-replay"));
        setJson(waitFor(By.cssSelector("button.create-replay")).findElement(By.xpath("../..")), "{\"alias\":\"support-bot\","
                + "\"candidate\":\"support-v3\",\"from\":\"2020-01-01T00:00:00Z\",\"limit\":6,\"ratePerSecond\":50}");
        click(By.cssSelector("button.create-replay"));
        waitForText(By.id("notice"), "started");
        awaitApi("/admin/replays", doc -> doc.path("replays").get(0).path("state").asText().equals("done"));
        // No reload: the view refreshes itself until the replay is done.
        assertThat(waitForText(By.id("replay"), "done")).contains("support-v3");
        assertThat(waitForText(By.cssSelector("#replay tr.entry"), "replay:")).startsWith("replay:").contains("support-v1", "support-v3");
        Browser.screenshot(browser, "replay");
    }

    // ---- helpers ----

    private RouteTable current() {
        return gateway.store().current();
    }

    private void signIn(String token) {
        browser.get(admin + "/console/");
        WebElement input = waitFor(By.id("token"));
        input.sendKeys(token);
        browser.findElement(By.id("sign-in")).click();
        if (token.equals(OPS_TOKEN) || token.equals(VIEWER_TOKEN)) waitFor(By.id("identity"));
    }

    // The views of moving state (rollouts, instances, replays) redraw every few seconds: an element found may be
    // replaced before it is read, so every wait looks again instead of failing on a stale one.

    private WebElement waitFor(By by) {
        return new WebDriverWait(browser, Duration.ofSeconds(20)).ignoring(StaleElementReferenceException.class).until(driver -> {
            List<WebElement> found = driver.findElements(by);
            return found.isEmpty() || !found.get(0).isDisplayed() ? null : found.get(0);
        });
    }

    private String waitForText(By by, String text) {
        return new WebDriverWait(browser, Duration.ofSeconds(20)).ignoring(StaleElementReferenceException.class)
                .withMessage(() -> by + " never showed '" + text + "'").until(driver -> {
                    for (WebElement element : driver.findElements(by)) {
                        if (element.isDisplayed() && element.getText().contains(text)) return element.getText();
                    }
                    return null;
                });
    }

    private void click(By by) {
        new WebDriverWait(browser, Duration.ofSeconds(20)).ignoring(StaleElementReferenceException.class).until(driver -> {
            WebElement found = waitFor(by);
            found.click();
            return true;
        });
    }

    private static void setValue(WebElement input, String value) {
        input.clear();
        input.sendKeys(value);
    }

    /** Replaces the JSON in the editor's textarea. */
    private void setJson(WebElement editor, String json) {
        WebElement area = editor.findElement(By.cssSelector("textarea.json"));
        browser.executeScript("arguments[0].value = arguments[1]", area, json);
    }

    private static List<String> texts(WebElement within, By by) {
        List<String> texts = new ArrayList<>();
        within.findElements(by).forEach(element -> texts.add(element.getText()));
        return texts;
    }

    /** Polls an admin GET until the answer satisfies the condition. */
    private void awaitApi(String path, Function<JsonNode, Boolean> condition) {
        new WebDriverWait(browser, Duration.ofSeconds(20)).withMessage(() -> path + " never satisfied the condition")
                .until((WebDriver ignored) -> condition.apply(Http.json(Http.get(admin + path, "authorization", "Bearer " + OPS_TOKEN)))
                        ? Boolean.TRUE : null);
    }
}
