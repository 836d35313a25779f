package io.roster.agent.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.agent.Agent;
import io.roster.agent.acl.AclSettings;
import io.roster.api.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * DNS under {@code default_policy = "deny"}: answers are what the agent's default token may read
 * ({@code service:read} on the service and {@code node:read} on each instance's node, {@code node:read}
 * for node lookups); without a default token (anonymous, no rules) nothing in the domain is found,
 * and a default token that does not exist (yet) reads nothing either.
 */
class DnsAclTest {
    static final String MGMT = "5c0d2a8e-0000-4000-8000-00000000d115";
    static final String DEFAULT = "5c0d2a8e-0000-4000-8000-00000000dea1";
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private static AclSettings acl(String defaultToken) {
        return new AclSettings(true, "deny", "extend-cache", null, null, false, false, MGMT, "", defaultToken, "", "");
    }

    private static int put(Agent a, String path, Object body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(a.httpAddress() + path)).header("X-Consul-Token", MGMT)
                .PUT(HttpRequest.BodyPublishers.ofString(Json.writeString(body))).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode();
    }

    private static void awaitManagement(Agent a) {
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> HTTP.send(HttpRequest.newBuilder(
                URI.create(a.httpAddress() + "/v1/acl/token/self")).header("X-Consul-Token", MGMT).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
    }

    @Test
    void withoutADefaultTokenNothingInTheDomainIsFound() throws Exception {
        try (Agent a = DnsAgent.start(b -> b.acl(acl("")))) {
            awaitManagement(a);
            DnsClient dns = new DnsClient(a.dns().port());
            Message m = dns.udp("consul.service.consul", Type.A);
            assertThat(m.getRcode()).isEqualTo(Rcode.NXDOMAIN);
            assertThat(dns.udp("test-node.node.consul", Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN);
        }
    }

    @Test
    void aDefaultTokenAnswersWhatItMayRead() throws Exception {
        try (Agent a = DnsAgent.start(b -> b.acl(acl(DEFAULT)))) {
            awaitManagement(a);
            DnsClient dns = new DnsClient(a.dns().port());
            assertThat(dns.udp("consul.service.consul", Type.A).getRcode()).as("the default token does not exist yet")
                    .isEqualTo(Rcode.NXDOMAIN);

            assertThat(put(a, "/v1/acl/policy", Map.of("Name", "dns-services", "Rules", "service \"consul\" { policy = \"read\" }"))).isEqualTo(200);
            assertThat(put(a, "/v1/acl/token", Map.of("SecretID", DEFAULT, "Policies", List.of(Map.of("Name", "dns-services"))))).isEqualTo(200);
            assertThat(dns.udp("consul.service.consul", Type.A).getRcode()).as("service:read but no node:read: its instance is filtered")
                    .isEqualTo(Rcode.NXDOMAIN);

            assertThat(put(a, "/v1/acl/policy", Map.of("Name", "dns-nodes", "Rules", "node_prefix \"\" { policy = \"read\" }"))).isEqualTo(200);
            String accessor = Json.mapper().readTree(HTTP.send(HttpRequest.newBuilder(URI.create(a.httpAddress() + "/v1/acl/token/self"))
                    .header("X-Consul-Token", DEFAULT).build(), HttpResponse.BodyHandlers.ofString()).body()).get("AccessorID").asText();
            assertThat(put(a, "/v1/acl/token/" + accessor, Map.of("Policies", List.of(Map.of("Name", "dns-services"),
                    Map.of("Name", "dns-nodes"))))).isEqualTo(200);
            assertThat(DnsClient.rdata(dns.udp("consul.service.consul", Type.A), Section.ANSWER)).containsExactly("127.0.0.1");
            assertThat(DnsClient.rdata(dns.udp("test-node.node.consul", Type.A), Section.ANSWER)).containsExactly("127.0.0.1");
            assertThat(dns.udp("other.service.consul", Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN);
        }
    }

    @Test
    void aManagementDefaultTokenSeesEverything() throws Exception {
        try (Agent a = DnsAgent.start(b -> b.acl(acl(MGMT)))) {
            awaitManagement(a);
            assertThat(DnsClient.rdata(new DnsClient(a.dns().port()).udp("consul.service.consul", Type.A), Section.ANSWER))
                    .containsExactly("127.0.0.1");
        }
    }

    @Test
    void aDefaultTokenSetAtRunTimeAppliesToDnsAtOnce() throws Exception {
        try (Agent a = DnsAgent.start(b -> b.acl(acl("")))) {
            awaitManagement(a);
            DnsClient dns = new DnsClient(a.dns().port());
            assertThat(dns.udp("consul.service.consul", Type.A).getRcode()).as("anonymous reads nothing").isEqualTo(Rcode.NXDOMAIN);
            assertThat(put(a, "/v1/agent/token/default", Map.of("Token", MGMT))).isEqualTo(200);
            assertThat(DnsClient.rdata(dns.udp("consul.service.consul", Type.A), Section.ANSWER)).containsExactly("127.0.0.1");
            assertThat(put(a, "/v1/agent/token/default", Map.of("Token", ""))).isEqualTo(200);
            assertThat(dns.udp("consul.service.consul", Type.A).getRcode()).as("cleared again").isEqualTo(Rcode.NXDOMAIN);
        }
    }
}
