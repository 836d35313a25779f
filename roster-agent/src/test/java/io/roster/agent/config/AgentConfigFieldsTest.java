package io.roster.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.roster.agent.AgentConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The settings config files brought to {@link AgentConfig}: defaults, checks, copies. */
class AgentConfigFieldsTest {
    @Test
    void devOnFreePortIsUnchanged() {
        AgentConfig c = AgentConfig.devOnFreePort();
        assertThat(c.dev()).isTrue();
        assertThat(c.server()).isTrue();
        assertThat(c.httpPort()).isZero();
        assertThat(c.clientAddr()).isEqualTo("127.0.0.1");
        assertThat(c.datacenter()).isEqualTo("dc1");
        assertThat(c.sessionTtlMin()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.txnMaxOps()).isEqualTo(128);
        assertThat(c.kvMaxValueSize()).isEqualTo(512 * 1024);
        assertThat(c.bindAddr()).isEqualTo("127.0.0.1");
        assertThat(c.ui()).isTrue();
    }

    @Test
    void toBuilderRoundTrips() {
        AgentConfig c = AgentConfig.builder().nodeName("n").bindAddr("::1").dnsPort(-1).ui(true)
                .enableScriptChecks(true).enableLocalScriptChecks(true).nodeMeta(Map.of("k", "v"))
                .checkUpdateInterval(Duration.ZERO).server(true).bootstrapExpect(3).retryJoin(List.of("a"))
                .domain("roster").altDomain("alt.example").recursors(List.of("1.1.1.1"))
                .dnsConfig(Map.of("allow_stale", true)).encrypt("pUqJrVyVRj5jsiYEkM/tFQYfWyJIv4s3XkvDwy7Cu5s=")
                .checkOutputMaxSize(10).configFiles(List.of(Path.of("/etc/consul.d"))).build();
        assertThat(c.toBuilder().build()).isEqualTo(c);
        assertThat(c.domain()).isEqualTo("roster.");
        assertThat(c.altDomain()).isEqualTo("alt.example.");
    }

    @Test
    void theGossipKeyIsNeverPrinted() {
        AgentConfig c = AgentConfig.builder().encrypt("pUqJrVyVRj5jsiYEkM/tFQYfWyJIv4s3XkvDwy7Cu5s=").build();
        assertThat(c.toString()).doesNotContain("pUqJ").contains("encrypt=<hidden>");
    }

    @Test
    void listAddersAndMetaPutAddToWhatIsThere() {
        AgentConfig c = AgentConfig.builder().retryJoin(List.of("a")).addRetryJoin(List.of("b"))
                .recursors(List.of("1.1.1.1")).addRecursors(List.of("8.8.8.8"))
                .nodeMeta(Map.of("k", "v")).putNodeMeta("k2", "v2").build();
        assertThat(c.retryJoin()).containsExactly("a", "b");
        assertThat(c.recursors()).containsExactly("1.1.1.1", "8.8.8.8");
        assertThat(c.nodeMeta()).containsOnly(Map.entry("k", "v"), Map.entry("k2", "v2"));
    }

    @Test
    void invalidValuesGiveOneLineReasons() {
        assertInvalid(AgentConfig.builder().bindAddr("localhost"), "bind_addr: 'localhost' is not an IP address");
        assertInvalid(AgentConfig.builder().bindAddr("300.1.1.1"), "bind_addr: '300.1.1.1' is not an IP address");
        assertInvalid(AgentConfig.builder().dnsPort(-2), "invalid DNS port -2: use -1 (off), 0 (any free port) or 1-65535");
        assertInvalid(AgentConfig.builder().checkUpdateInterval(Duration.ofSeconds(-1)), "check_update_interval must not be negative");
        assertInvalid(AgentConfig.builder().bootstrapExpect(-1), "bootstrap_expect must not be negative");
        assertInvalid(AgentConfig.builder().bootstrapExpect(3), "bootstrap_expect > 0 requires server mode (-server)");
        assertInvalid(AgentConfig.builder().retryJoin(List.of(" ")), "retry_join cannot contain an empty address");
        assertInvalid(AgentConfig.builder().domain("a..b"), "invalid domain 'a..b': use DNS labels such as 'consul.'");
        assertInvalid(AgentConfig.builder().altDomain("Consul"), "alt_domain cannot be the same as domain ('consul.')");
        assertInvalid(AgentConfig.builder().encrypt("not base64!"), "invalid encrypt key: not base64");
        assertInvalid(AgentConfig.builder().checkOutputMaxSize(0), "check_output_max_size must be at least 1");
        Map<String, String> many = new LinkedHashMap<>();
        for (int i = 0; i < 65; i++) {
            many.put("k" + i, "v");
        }
        assertInvalid(AgentConfig.builder().nodeMeta(many), "invalid node_meta: metadata cannot contain more than 64 key/value pairs");
        assertInvalid(AgentConfig.builder().nodeMeta(Map.of("k".repeat(129), "v")),
                "invalid node_meta: metadata key '" + "k".repeat(129) + "' is longer than 128 characters");
        assertInvalid(AgentConfig.builder().nodeMeta(Map.of("k", "v".repeat(513))),
                "invalid node_meta: metadata value of 'k' is longer than 512 characters");
    }

    @Test
    void ipv6BindAddressesAreAccepted() {
        assertThat(AgentConfig.builder().bindAddr("::").build().bindAddr()).isEqualTo("::");
        assertThat(AgentConfig.builder().bindAddr("fe80::1").build().bindAddr()).isEqualTo("fe80::1");
    }

    private static void assertInvalid(AgentConfig.Builder b, String message) {
        assertThatThrownBy(b::build).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }
}
