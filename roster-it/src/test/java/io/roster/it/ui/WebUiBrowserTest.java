package io.roster.it.ui;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.testkit.RosterExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.Alert;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;

/**
 * The web UI of a dev agent in headless Chromium: a registered service appears, its TTL check turns
 * critical on the open page without a reload, a KV key is created, edited, refused on a concurrent
 * edit, diffed, rolled back and deleted from the UI, a node page opens, the pages work from the
 * keyboard and at 200% zoom, the ACL page says the ACL system is off, and the browser console has
 * no errors. Each page's screenshot is saved (docs/ui/ with -Dui.screenshots.update=true).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebUiBrowserTest {
    @RegisterExtension
    static final RosterExtension ROSTER = RosterExtension.dev().nodeName("pg-meta-1").withoutDns();

    static Browser browser;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void startBrowser() throws Exception {
        browser = Browser.start();
        // A small Pigsty-like deployment, so the pages show what an operator would see. The nodes are
        // catalog-only (no serfHealth, which the leader would reap for nodes gossip does not know).
        for (int i = 1; i <= 3; i++) {
            String node = "pg-test-" + i;
            String role = i == 1 ? "primary" : "replica";
            put("/v1/catalog/register", """
                    {"Node":"%s","Address":"10.10.10.1%d","NodeMeta":{"cls":"pg-test","ins":"%s"},
                     "Service":{"ID":"pg-test-%d-postgres","Service":"postgres","Tags":["%s","pg-test"],"Port":5432,
                       "Meta":{"version":"16","role":"%s"}},
                     "Checks":[{"CheckID":"node-alive","Name":"Node alive","Status":"passing","Output":"PING 10.10.10.1%d: 3 packets, 0%% loss"},
                       {"CheckID":"service:pg-test-%d-postgres","Name":"postgres","Status":"passing","ServiceID":"pg-test-%d-postgres",
                        "Output":"HTTP GET http://10.10.10.1%d:8008/health: 200 OK"}]}""".formatted(node, i, node, i, role, role, i, i, i, i));
            put("/v1/catalog/register", """
                    {"Node":"%s","Address":"10.10.10.1%d","NodeMeta":{"cls":"pg-test","ins":"%s"},"Service":{"ID":"node-exporter","Service":"node-exporter","Tags":["exporter"],"Port":9100},
                     "Checks":[{"CheckID":"service:node-exporter","Name":"node-exporter","Status":"%s","ServiceID":"node-exporter",
                       "Output":"%s"}]}""".formatted(node, i, node, i == 3 ? "warning" : "passing",
                    i == 3 ? "HTTP GET http://10.10.10.13:9100/metrics: 200 OK, slow (1.8s)" : "HTTP GET: 200 OK"));
        }
        // The agent's own services go through the agent (anti-entropy would take catalog-only ones away).
        put("/v1/agent/service/register", """
                {"Name":"grafana","Tags":["infra"],"Port":3000,"Check":{"CheckID":"grafana-ttl","Name":"grafana alive","TTL":"10m"}}""");
        put("/v1/agent/check/pass/grafana-ttl?note=HTTP%20200%20OK", "");
        put("/v1/agent/service/register", """
                {"Name":"prometheus","Tags":["infra","monitor"],"Port":9090}""");
        put("/v1/kv/pigsty/pg-test/config", "{\"max_connections\": 200, \"shared_buffers\": \"4GB\"}");
        put("/v1/kv/pigsty/pg-test/leader", "pg-test-1");
        put("/v1/kv/pigsty/pg-meta/config", "{\"max_connections\": 100}");
        put("/v1/kv/service/pg-test/initialize", "7321456789012345678");
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    @AfterEach
    void noConsoleErrors() {
        browser.assertNoConsoleErrors();
    }

    static String base() {
        return "http://127.0.0.1:" + ROSTER.httpPort();
    }

    static HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(base() + path));
        r.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String put(String path, String body) throws Exception {
        HttpResponse<String> r = send("PUT", path, body);
        assertThat(r.statusCode()).as("PUT %s: %s", path, r.body()).isEqualTo(200);
        return r.body();
    }

    static String rawKv(String key) {
        try {
            HttpResponse<String> r = send("GET", "/v1/kv/" + key + "?raw", null);
            return r.statusCode() == 404 ? null : r.body();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    @Order(1)
    void rootRedirectsToTheUi() throws Exception {
        HttpResponse<String> r = send("GET", "/", null);
        assertThat(r.statusCode()).isEqualTo(301);
        assertThat(r.headers().firstValue("Location")).hasValue("/ui/");
        browser.open(base() + "/");
        browser.await(() -> browser.driver.getCurrentUrl().endsWith("/ui/#/services"), "the services page");
    }

    @Test
    @Order(2)
    void aRegisteredServiceShowsAndItsTtlCheckTurnsCriticalWithoutAReload() throws Exception {
        put("/v1/agent/service/register", """
                {"Name":"billing","ID":"billing-1","Port":8080,"Tags":["v2","canary"],"Meta":{"team":"payments"},
                 "Check":{"CheckID":"billing-ttl","Name":"billing heartbeat","TTL":"10m"}}""");
        put("/v1/agent/check/pass/billing-ttl?note=heartbeat%20ok", "");
        browser.open(base() + "/ui/#/services");
        WebElement row = browser.find("tr[data-service='billing']");
        assertThat(row.getText()).contains("billing", "2 passing", "v2", "canary");
        assertThat(browser.text("tr[data-service='postgres']")).contains("6 passing", "3");
        browser.screenshot("services");

        browser.find("tr[data-service='billing'] a").click();
        browser.find("[data-check='billing-ttl'][data-status='passing']");
        assertThat(browser.text("tr[data-instance='billing-1']")).contains("pg-meta-1", ":8080", "team = payments", "heartbeat ok");
        browser.js("window.__sameDocument = 'yes'");

        put("/v1/agent/check/fail/billing-ttl?note=payment%20gateway%20unreachable", "");
        WebElement critical = browser.find("[data-check='billing-ttl'][data-status='critical']");
        assertThat(critical.getText()).contains("payment gateway unreachable");
        assertThat(browser.js("return window.__sameDocument")).as("no reload: the same document").isEqualTo("yes");

        browser.open(base() + "/ui/#/services/postgres");
        browser.find("tr[data-instance='pg-test-1-postgres']");
        browser.screenshot("service");
        browser.open(base() + "/ui/#/services");
        assertThat(browser.find("tr[data-service='billing']").getText()).contains("1 critical");
    }

    @Test
    @Order(3)
    void theFilterBoxNarrowsTheList() {
        browser.open(base() + "/ui/#/services");
        browser.find("tr[data-service='grafana']");
        browser.find("input[type='search']").sendKeys("expo");
        browser.await(() -> browser.driver.findElements(org.openqa.selenium.By.cssSelector("tr[data-service]")).size() == 1,
                "only node-exporter listed");
        assertThat(browser.text("tr[data-service]")).contains("node-exporter");
    }

    @Test
    @Order(4)
    void aNodePageShowsItsChecksAndServicesAndTheLeaderIsMarked() throws Exception {
        browser.open(base() + "/ui/#/nodes");
        assertThat(browser.text("tr[data-node='pg-meta-1']")).contains("leader", "127.0.0.1");
        assertThat(browser.text("tr[data-node='pg-test-3']")).contains("10.10.10.13", "warning", "postgres", "node-exporter");
        browser.screenshot("nodes");
        browser.find("tr[data-node='pg-test-1'] a").click();
        browser.await(() -> browser.driver.getCurrentUrl().endsWith("#/nodes/pg-test-1"), "the node page");
        WebElement alive = browser.find("tr[data-check='node-alive']");
        assertThat(alive.getText()).contains("Node alive", "passing", "0% loss");
        assertThat(browser.text("main")).contains("10.10.10.11", "postgres", "node-exporter", "cls = pg-test");
        browser.screenshot("node");
    }

    @Test
    @Order(5)
    void aKvKeyIsCreatedEditedRefusedOnAConcurrentEditRolledBackAndDeleted() throws Exception {
        browser.open(base() + "/ui/#/kv/");
        browser.find("tr[data-key='pigsty/'] a").click();
        browser.find("tr[data-key='pigsty/pg-test/']");
        browser.screenshot("kv");
        browser.find("a.button.primary").click();

        WebElement name = browser.find("#kv-name");
        name.sendKeys("app/config");
        WebElement value = browser.find("#kv-value");
        browser.find("#kv-json").click();
        value.sendKeys("{\"replicas\": 2");
        browser.await(() -> browser.text("#kv-json-state").startsWith("Invalid JSON"), "JSON validation");
        browser.find("#kv-save").click();
        assertThat(browser.text("[role='alert']")).contains("not valid JSON");
        assertThat(rawKv("pigsty/app/config")).as("nothing written").isNull();
        value.sendKeys("}");
        browser.await(() -> browser.text("#kv-json-state").equals("Valid JSON"), "valid JSON");
        browser.find("#kv-save").click();
        browser.await(() -> browser.driver.getCurrentUrl().endsWith("#/kv/pigsty/app/config"), "the key's page");
        assertThat(rawKv("pigsty/app/config")).isEqualTo("{\"replicas\": 2}");

        // Edit through the UI.
        browser.find("tr[data-version]");
        WebElement editor = browser.find("#kv-value");
        browser.await(() -> editor.getAttribute("value").equals("{\"replicas\": 2}"), "the stored value in the editor");
        editor.clear();
        editor.sendKeys("{\"replicas\": 3}");
        browser.js("window.__submits = 0; document.getElementById('kv-form').addEventListener('submit', () => window.__submits++)");
        browser.find("#kv-save").click();
        browser.await(() -> browser.text("main").contains("Saved."), "saved");
        assertThat(rawKv("pigsty/app/config")).isEqualTo("{\"replicas\": 3}");
        browser.await(() -> browser.driver.findElements(org.openqa.selenium.By.cssSelector("tr[data-version]")).size() == 2,
                "two versions in the history");
        assertThat(browser.find("tr[data-version] time").getAttribute("datetime")).as("each version's time")
                .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z");

        // An edit in progress when someone else writes: the page says so live, and its save is refused (CAS).
        editor.sendKeys(Keys.END, Keys.BACK_SPACE, ", \"note\": \"mine\"}");
        put("/v1/kv/pigsty/app/config", "{\"replicas\": 5}");
        browser.await(() -> browser.text("main").contains("changed by someone else"), "the concurrent write noticed");
        assertThat(editor.getAttribute("value")).as("the edit in progress is kept").contains("mine");
        browser.find("#kv-save").click();
        browser.await(() -> browser.text("main").contains("Not saved: someone else changed this key"), "the refusal");
        assertThat(rawKv("pigsty/app/config")).as("the refused write changed nothing").isEqualTo("{\"replicas\": 5}");
        browser.await(() -> editor.getAttribute("value").equals("{\"replicas\": 5}"), "their version shown");
        browser.screenshot("kv-key");

        // Diff the two newest versions, then roll back to the first one.
        browser.find("button[data-diff]").click();
        assertThat(browser.text("#kv-diff")).contains("+ ", "- ");
        List<WebElement> restore = browser.driver.findElements(org.openqa.selenium.By.cssSelector("button[data-restore]"));
        WebElement oldest = restore.get(restore.size() - 1);
        String oldestIndex = oldest.getAttribute("data-restore");
        oldest.click();
        browser.await(() -> browser.text("main").contains("Restored the version of index " + oldestIndex), "restored");
        assertThat(rawKv("pigsty/app/config")).isEqualTo("{\"replicas\": 2}");
        browser.await(() -> browser.find("#kv-value").getAttribute("value").equals("{\"replicas\": 2}"), "the restored value shown");
        browser.await(() -> browser.driver.findElements(org.openqa.selenium.By.cssSelector("tr[data-version]")).size() == 4,
                "the restore is a version too");
        browser.screenshot("kv-history");

        // Delete it (the page asks first).
        browser.find("#kv-delete").click();
        Alert confirm = browser.await(() -> browser.driver.switchTo().alert(), "the confirmation");
        confirm.accept();
        browser.await(() -> browser.driver.getCurrentUrl().endsWith("#/kv/pigsty/app/"), "back to the folder");
        assertThat(rawKv("pigsty/app/config")).isNull();
        HttpResponse<String> history = send("GET", "/v1/kv/pigsty/app/config?history", null);
        assertThat(history.body()).as("the history survives the delete").contains("\"Deleted\":true");
    }

    @Test
    @Order(6)
    void theClusterPageShowsTheServerAndItsMembers() throws Exception {
        browser.open(base() + "/ui/#/cluster");
        assertThat(browser.text("tr[data-peer='pg-meta-1']")).contains("leader");
        assertThat(browser.text("tr[data-member='pg-meta-1']")).contains("alive", "server");
        assertThat(browser.text("main")).contains("dc1");
    }

    @Test
    @Order(7)
    void theAclPageSaysTheAclSystemIsNotEnabled() throws Exception {
        browser.open(base() + "/ui/#/acl");
        assertThat(browser.text("#acl-disabled")).contains("ACL system not enabled");
        browser.screenshot("acl");
    }

    @Test
    @Order(8)
    void everyPageWorksFromTheKeyboard() {
        browser.open(base() + "/ui/#/services");
        browser.find("tr[data-service='postgres']");
        Actions keys = new Actions(browser.driver);
        assertThat(browser.js("return document.querySelector('a[href], button, input, textarea, select').className"))
                .as("the skip link is the first control").isEqualTo("skip");
        browser.js("document.querySelector('.skip').focus()");
        assertThat(((Number) browser.js("return document.querySelector('.skip').getBoundingClientRect().left")).doubleValue())
                .as("the focused skip link is on screen").isGreaterThanOrEqualTo(0);
        keys.sendKeys(Keys.ENTER).perform();
        assertThat(browser.js("return document.activeElement.id")).as("the skip link moves focus to the page").isEqualTo("main");
        assertThat(browser.driver.getCurrentUrl()).as("and keeps the route").endsWith("#/services");
        browser.js("document.querySelector('.skip').focus()");
        // Tab to the Nodes link and follow it with Enter.
        for (int i = 0; i < 10 && !"nodes".equals(browser.js("return document.activeElement.dataset.nav || ''")); i++) {
            keys.sendKeys(Keys.TAB).perform();
        }
        assertThat(browser.js("return document.activeElement.dataset.nav")).isEqualTo("nodes");
        keys.sendKeys(Keys.ENTER).perform();
        browser.await(() -> browser.driver.getCurrentUrl().endsWith("#/nodes"), "the nodes page");
        browser.find("tr[data-node='pg-test-2']");
        assertThat(browser.js("return document.activeElement.tagName")).as("focus moves to the page heading").isEqualTo("H1");
        // Tab into the list and open a node with Enter.
        for (int i = 0; i < 10 && !"A".equals(browser.js("return document.activeElement.closest('tr[data-node]') ? 'A' : ''")); i++) {
            keys.sendKeys(Keys.TAB).perform();
        }
        keys.sendKeys(Keys.ENTER).perform();
        browser.await(() -> browser.driver.getCurrentUrl().contains("#/nodes/"), "a node page");
        // The token dialog opens and closes from the keyboard.
        browser.find("#token-button").sendKeys(Keys.ENTER);
        browser.await(() -> browser.js("return document.getElementById('token-dialog').open"), "the token dialog");
        keys.sendKeys(Keys.ESCAPE).perform();
        browser.await(() -> Boolean.FALSE.equals(browser.js("return document.getElementById('token-dialog').open")), "closed");
    }

    @Test
    @Order(9)
    void everyPageIsReadableAt200PercentZoom() throws Exception {
        browser.viewport(640, 400, 2);
        try {
            for (String page : List.of("services", "services/postgres", "nodes", "nodes/pg-test-1", "kv/pigsty/", "kv/pigsty/pg-test/config", "cluster", "acl")) {
                browser.open(base() + "/ui/#/" + page);
                browser.find("main h1");
                browser.await(() -> browser.driver.findElements(org.openqa.selenium.By.cssSelector("main table, main .notice, main .empty")).size() > 0,
                        page + " drawn");
                Object overflow = browser.js("return document.documentElement.scrollWidth - window.innerWidth");
                assertThat(((Number) overflow).intValue()).as("%s: no sideways scrolling at 200%%", page).isLessThanOrEqualTo(1);
                Object fontPx = browser.js("return parseFloat(getComputedStyle(document.querySelector('main')).fontSize)");
                assertThat(((Number) fontPx).doubleValue()).as("text size").isGreaterThanOrEqualTo(14);
                for (WebElement nav : browser.driver.findElements(org.openqa.selenium.By.cssSelector("nav a"))) {
                    assertThat(nav.isDisplayed()).as("navigation stays reachable").isTrue();
                }
            }
            browser.open(base() + "/ui/#/services");
            browser.find("tr[data-service='postgres']");
            browser.screenshot("services-zoom-200");
        } finally {
            browser.viewport(1280, 800, 1);
        }
    }
}
