package io.roster.agent.wan;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How long another datacenter's server may take to answer a forwarded request. */
class WanRouterTest {
    @Test
    void plainRequestsGetTheShortDeadline() {
        assertThat(WanRouter.deadlineMillis("/v1/kv/a")).isEqualTo(10_000);
        assertThat(WanRouter.deadlineMillis("/v1/kv/a?dc=dc2&raw")).isEqualTo(10_000);
        assertThat(WanRouter.deadlineMillis("/v1/kv/a?wait=1m")).as("wait without index is not blocking").isEqualTo(10_000);
    }

    @Test
    void blockingQueriesGetTheirWaitAndJitterOnTop() {
        assertThat(WanRouter.deadlineMillis("/v1/kv/a?index=5&wait=16s")).isEqualTo(16_000 + 1_000 + 10_000);
        assertThat(WanRouter.deadlineMillis("/v1/kv/a?index=5")).as("default wait 5m").isEqualTo(300_000 + 18_750 + 10_000);
        assertThat(WanRouter.deadlineMillis("/v1/kv/a?index=5&wait=1h")).as("capped at 10m").isEqualTo(600_000 + 37_500 + 10_000);
        assertThat(WanRouter.deadlineMillis("/v1/kv/a?index=5&wait=junk")).isEqualTo(300_000 + 18_750 + 10_000);
    }
}
