package io.roster.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.api.QueryOptions;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Registered as an instance field, the extension starts a fresh agent for every test and stops it after. */
class InstanceFieldTest {
    private static final Set<Integer> PORTS = new HashSet<>();

    @RegisterExtension
    final RosterExtension roster = RosterExtension.dev().withoutDns();

    @RepeatedTest(2)
    void everyTestStartsOnAnEmptyAgentOfItsOwn() {
        assertThat(roster.client().kv().keys("", null, QueryOptions.DEFAULT).value()).isEmpty();
        roster.client().kv().put("tk/left-behind", "1".getBytes());
        assertThat(PORTS.add(roster.httpPort())).as("a new agent on a new port").isTrue();
    }

    @AfterAll
    static void twoAgentsRan() {
        assertThat(PORTS).hasSize(2);
    }
}
