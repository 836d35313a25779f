package io.roster.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.agent.Agent;
import io.roster.api.KvPair;
import io.roster.api.QueryOptions;
import io.roster.api.RosterClient;
import io.roster.api.ServiceDefinition;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/** One dev agent for the class, registered as a static field, with every parameter kind injected. */
class DevExtensionTest {
    @RegisterExtension
    static final RosterExtension ROSTER = RosterExtension.dev().nodeName("tk-dev");

    @Test
    void theClientWritesAndReadsKv(RosterClient client) {
        assertThat(client.kv().put("tk/greeting", "hello".getBytes())).isTrue();
        assertThat(ROSTER.client().kv().get("tk/greeting", QueryOptions.DEFAULT).value())
                .get().extracting(KvPair::valueAsString).isEqualTo("hello");
        System.out.printf("roster-testkit: dev agent started in %d ms%n", ROSTER.startTime().toMillis());
    }

    @Test
    void addressesAndAgentAreInjectedAndAgree(URI uri, @RosterAddress String address, Agent agent) throws Exception {
        assertThat(uri).isEqualTo(URI.create("http://" + address));
        assertThat(address).isEqualTo("127.0.0.1:" + agent.httpPort());
        assertThat(agent.httpPort()).isBetween(Ports.LOW, Ports.HIGH);
        assertThat(agent).isSameAs(ROSTER.agent());
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri.resolve("/v1/agent/self")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("\"NodeName\":\"tk-dev\"");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"web", "db"})
    void aPlainStringParameterIsLeftToOtherResolvers(String name, RosterClient client) {
        client.agent().serviceRegister(new ServiceDefinition(name + "-1", name, null, List.of(), "127.0.0.1", null,
                Map.of(), 8080, null, null, null, null));
        assertThat(client.agent().services()).containsKey(name + "-1");
    }

    @Test
    void dnsAnswersOnItsOwnPort() throws Exception {
        assertThat(ROSTER.dnsPort()).isBetween(Ports.LOW, Ports.HIGH);
        SimpleResolver r = new SimpleResolver("127.0.0.1");
        r.setPort(ROSTER.dnsPort());
        Message answer = r.send(Message.newQuery(Record.newRecord(Name.fromString("tk-dev.node.consul."), Type.A, DClass.IN)));
        assertThat(answer.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(answer.getSection(Section.ANSWER)).singleElement()
                .isInstanceOfSatisfying(ARecord.class, a -> assertThat(a.getAddress().getHostAddress()).isEqualTo("127.0.0.1"));
    }
}
