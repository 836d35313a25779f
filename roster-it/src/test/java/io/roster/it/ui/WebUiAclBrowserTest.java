package io.roster.it.ui;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.roster.agent.acl.AclSettings;
import io.roster.testkit.RosterExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The ACL pages of a dev agent started with {@code acl { enabled = true, default_policy = "deny",
 * tokens { initial_management = ... } }} in headless Chromium: without a token the UI asks for one;
 * with the management token a policy, a role and a token are created, edited and deleted from the
 * UI; with a read-only token made there, the services page lists only the services it may read and
 * a KV write is refused with the agent's message. The console has no errors but the 403s the test
 * causes on purpose.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebUiAclBrowserTest {
    static final String MGMT = "6d1e3b9f-0000-4000-8000-00000000a11c";

    @RegisterExtension
    static final RosterExtension ROSTER = RosterExtension.dev().nodeName("acl-ui").withoutDns()
            .configure(b -> b.acl(new AclSettings(true, "deny", "extend-cache", null, null,
                    false, false, MGMT, "", "", "", "")));

    static Browser browser;
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void startBrowser() throws Exception {
        browser = Browser.start();
        for (String[] s : new String[][] {{"pg-test-1", "pg-test", "10.10.10.11"}, {"pay-1", "billing", "10.10.10.21"}}) {
            mgmt("PUT", "/v1/catalog/register", """
                    {"Node":"%s","Address":"%s","Service":{"Service":"%s","Port":5432},
                     "Checks":[{"CheckID":"alive","Name":"alive","Status":"passing"}]}""".formatted(s[0], s[2], s[1]));
        }
        mgmt("PUT", "/v1/kv/pg/config", "max_connections=200");
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

    static HttpResponse<String> send(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(base() + path));
        if (token != null) {
            r.header("X-Consul-Token", token);
        }
        r.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode mgmt(String method, String path, String body) throws Exception {
        HttpResponse<String> r = send(method, path, MGMT, body);
        assertThat(r.statusCode()).as("%s %s: %s", method, path, r.body()).isEqualTo(200);
        return r.body().isEmpty() ? null : JSON.readTree(r.body());
    }

    static JsonNode named(String list, String field, String name) throws Exception {
        for (JsonNode n : mgmt("GET", list, null)) {
            if (name.equals(n.path(field).asText())) {
                return n;
            }
        }
        return null;
    }

    void setToken(String secret) {
        browser.find("#token-button").click();
        browser.await(() -> browser.js("return document.getElementById('token-dialog').open"), "the token dialog");
        WebElement input = browser.find("#token-input");
        input.clear();
        input.sendKeys(secret);
        browser.find("#token-dialog button[value='save']").click();
        browser.await(() -> Boolean.FALSE.equals(browser.js("return document.getElementById('token-dialog').open")), "closed");
    }

    void fill(String id, String text) {
        WebElement e = browser.find("#" + id);
        e.clear();
        e.sendKeys(text);
    }

    void tab(String kind) {
        browser.find("button[data-kind='" + kind + "']").click();
        browser.await(() -> "true".equals(browser.find("button[data-kind='" + kind + "']").getAttribute("aria-selected")), kind);
        browser.find("main .panel");
    }

    void save() {
        browser.find("form.form button[type='submit']").click();
        browser.await(() -> browser.text("main").contains("Saved."), "saved");
    }

    void deleteRow(String name) {
        browser.find("tr[data-name='" + name + "'] button.danger").click();
        browser.await(() -> browser.driver.switchTo().alert(), "the confirmation").accept();
        browser.await(() -> browser.text("main").contains("Deleted.")
                && browser.driver.findElements(By.cssSelector("tr[data-name='" + name + "']")).isEmpty(), name + " gone");
    }

    @Test
    @Order(1)
    void withoutATokenTheUiAsksForOne() throws Exception {
        // The anonymous token may read nothing (default_policy "deny"): the page's reads are refused.
        browser.allowConsole("403 (Forbidden)", "/v1/agent/self");
        browser.allowConsole("403 (Forbidden)", "/v1/internal/ui/services");
        browser.open(base() + "/ui/#/services");
        browser.await(() -> browser.js("return document.getElementById('token-dialog').open"), "the UI asking for a token");
        assertThat(browser.text("#token-why")).contains("refused a request without a token");
        browser.screenshot("acl-token-prompt");
        WebElement input = browser.find("#token-input");
        input.sendKeys(MGMT);
        browser.find("#token-dialog button[value='save']").click();
        assertThat(browser.text("tr[data-service='billing']")).contains("billing");
        assertThat(browser.js("return localStorage.getItem('roster-token')")).isEqualTo(MGMT);
    }

    @Test
    @Order(2)
    void theManagementTokenCreatesAndEditsAPolicyARoleAndAToken() throws Exception {
        browser.open(base() + "/ui/#/acl");
        browser.await(() -> browser.text("main").contains("global-management"), "the management token listed with its policy");
        // A policy.
        tab("policies");
        browser.find("main .toolbar button.primary").click();
        fill("acl-name", "pg-read");
        fill("acl-description", "read the pg services");
        fill("acl-rules", "service_prefix \"pg-\" {\n  policy = \"read\"\n}\nnode_prefix \"\" {\n  policy = \"read\"\n}\n"
                + "key_prefix \"\" {\n  policy = \"read\"\n}\n");
        save();
        assertThat(browser.text("tr[data-name='pg-read']")).contains("read the pg services");
        JsonNode policy = named("/v1/acl/policies", "Name", "pg-read");
        assertThat(policy).as("the policy exists on the server").isNotNull();
        // Edit it.
        browser.find("tr[data-name='pg-read'] button:not(.danger)").click();
        assertThat(browser.find("#acl-rules").getAttribute("value")).contains("service_prefix \"pg-\"");
        fill("acl-description", "read pg-* services, all nodes and keys");
        save();
        assertThat(mgmt("GET", "/v1/acl/policy/" + policy.get("ID").asText(), null).get("Description").asText())
                .isEqualTo("read pg-* services, all nodes and keys");
        browser.screenshot("acl-policies");

        // A role with that policy.
        tab("roles");
        browser.find("main .toolbar button.primary").click();
        fill("acl-name", "pg-reader");
        fill("acl-description", "dashboards");
        fill("acl-policies", "pg-read");
        save();
        assertThat(browser.text("tr[data-name='pg-reader']")).contains("pg-read");
        JsonNode role = named("/v1/acl/roles", "Name", "pg-reader");
        assertThat(role.get("Policies").get(0).get("Name").asText()).isEqualTo("pg-read");
        browser.screenshot("acl-roles");

        // A token with that role; then edit its description.
        tab("tokens");
        browser.find("main .toolbar button.primary").click();
        fill("acl-description", "pg dashboard");
        fill("acl-roles", "pg-reader");
        save();
        browser.find("tr[data-name='pg dashboard'] button:not(.danger)").click();
        fill("acl-description", "pg dashboard (read-only)");
        save();
        assertThat(browser.text("tr[data-name='pg dashboard (read-only)']")).contains("pg-reader");
        JsonNode token = named("/v1/acl/tokens", "Description", "pg dashboard (read-only)");
        assertThat(token).as("the edited token on the server").isNotNull();
        assertThat(token.get("Roles").get(0).get("Name").asText()).isEqualTo("pg-reader");
        browser.screenshot("acl-tokens");
    }

    @Test
    @Order(3)
    void aReadOnlyTokenSeesOnlyWhatItMayAndAWriteIsRefused() throws Exception {
        JsonNode listed = named("/v1/acl/tokens", "Description", "pg dashboard (read-only)");
        String secret = mgmt("GET", "/v1/acl/token/" + listed.get("AccessorID").asText(), null).get("SecretID").asText();
        browser.allowConsole("403 (Forbidden)", "/v1/agent/self");
        browser.allowConsole("403 (Forbidden)", "/v1/kv/pg/new-key");
        setToken(secret);
        browser.open(base() + "/ui/#/services");
        browser.find("tr[data-service='pg-test']");
        assertThat(browser.driver.findElements(By.cssSelector("tr[data-service]"))).as("only pg-test").hasSize(1);
        assertThat(browser.text("main")).doesNotContain("billing");

        browser.open(base() + "/ui/#/kv/pg/");
        browser.find("tr[data-key='pg/config']");
        browser.find("a.button.primary").click();
        fill("kv-name", "pg/new-key");
        fill("kv-value", "1");
        browser.find("#kv-save").click();
        browser.await(() -> browser.text("main").contains("Not saved: Permission denied"), "the refusal");
        assertThat(browser.text("[role='alert']")).contains("key:write");
        assertThat(send("GET", "/v1/kv/pg/new-key", MGMT, null).statusCode()).as("nothing written").isEqualTo(404);
        browser.screenshot("acl-refused");

        browser.allowConsole("403 (Forbidden)", "/v1/acl/tokens");
        browser.open(base() + "/ui/#/acl");
        browser.await(() -> browser.text("main").contains("Permission denied"), "the ACL page refused");
    }

    @Test
    @Order(4)
    void theManagementTokenDeletesTheTokenTheRoleAndThePolicy() throws Exception {
        browser.open(base() + "/ui/#/acl");
        setToken(MGMT);
        browser.open(base() + "/ui/#/acl");
        deleteRow("pg dashboard (read-only)");
        tab("roles");
        deleteRow("pg-reader");
        tab("policies");
        deleteRow("pg-read");
        assertThat(named("/v1/acl/tokens", "Description", "pg dashboard (read-only)")).isNull();
        assertThat(named("/v1/acl/roles", "Name", "pg-reader")).isNull();
        assertThat(named("/v1/acl/policies", "Name", "pg-read")).isNull();
    }
}
