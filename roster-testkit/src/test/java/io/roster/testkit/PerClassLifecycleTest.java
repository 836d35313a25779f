package io.roster.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.api.RosterClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** With one test instance per class, the constructor is resolved before beforeAll: the annotation's settings still apply. */
@RosterTest(nodeName = "tk-per-class", dns = false)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PerClassLifecycleTest {
    private final RosterClient client;
    private final RosterExtension roster;

    PerClassLifecycleTest(RosterClient client, RosterExtension roster) {
        this.client = client;
        this.roster = roster;
    }

    @Test
    void theConstructorGotTheAnnotatedAgent() {
        assertThat(client.agent().nodeName()).isEqualTo("tk-per-class");
        assertThat(roster.dnsPort()).isEqualTo(-1);
    }
}
