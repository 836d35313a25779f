package io.roster.it.ui;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.agent.Agent;
import io.roster.testkit.RosterExtension;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The cluster page of a 3-server Raft cluster (real Ratis, real gossip, in this JVM) in headless
 * Chromium: three peers named as the servers, one leader, three alive members; then the leader is
 * stopped and the open page follows the new leader and the failed member without a reload. Every
 * wait is bounded (the election and gossip's failure detection: at most 60 s each).
 */
class WebUiClusterTest {
    @RegisterExtension
    static final RosterExtension CLUSTER = RosterExtension.cluster(3).withoutDns().configure(b -> b.ui(true));

    static Browser browser;

    @BeforeAll
    static void startBrowser() {
        browser = Browser.start();
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    private static List<WebElement> rows(String css) {
        return browser.driver.findElements(By.cssSelector(css));
    }

    @Test
    void theClusterPageShowsThreeServersOneLeaderAndFollowsALeaderChange() throws Exception {
        List<Agent> agents = CLUSTER.agents();
        Agent leader = CLUSTER.leader();
        int leaderAt = agents.indexOf(leader);
        Agent viewer = agents.get((leaderAt + 1) % agents.size());
        browser.open("http://127.0.0.1:" + viewer.httpPort() + "/ui/#/cluster");

        browser.await(() -> rows("tr[data-peer]").size() == 3, "three Raft peers");
        for (Agent a : agents) {
            String name = a.config().nodeName();
            assertThat(browser.text("tr[data-peer='" + name + "']")).as(name).containsAnyOf("leader", "follower");
            assertThat(browser.text("tr[data-member='" + name + "']")).contains("alive", "server");
        }
        assertThat(rows("tr[data-peer] .leader")).hasSize(1);
        assertThat(browser.text("tr[data-peer='" + leader.config().nodeName() + "']")).contains("leader");
        browser.screenshot("cluster");
        browser.js("window.__sameDocument = 'yes'");
        browser.assertNoConsoleErrors();

        CLUSTER.stop(leaderAt);
        String old = leader.config().nodeName();
        browser.await(() -> rows("tr[data-peer] .leader").size() == 1
                && !browser.text("tr[data-peer] .leader").isEmpty()
                && !browser.driver.findElement(By.cssSelector("tr[data-peer] .leader")).findElement(By.xpath("ancestor::tr"))
                        .getAttribute("data-peer").equals(old), "a new leader on the page", Duration.ofSeconds(60));
        browser.await(() -> !browser.text("tr[data-member='" + old + "']").contains("alive"), "the stopped server not alive",
                Duration.ofSeconds(60));
        assertThat(browser.js("return window.__sameDocument")).as("no reload").isEqualTo("yes");
        // During the election the agent answers 500 No cluster leader, which Chromium logs as a failed
        // load; anything else (a script error) still fails the test.
        assertThat(browser.consoleErrors()).filteredOn(m -> !m.contains("Failed to load resource")).isEmpty();
    }
}
