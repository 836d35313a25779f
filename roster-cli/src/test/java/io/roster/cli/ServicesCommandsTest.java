package io.roster.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.api.NodeService;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code roster services register|deregister} with definition files (JSON, HCL, snake_case) and with flags. */
class ServicesCommandsTest {
    @RegisterExtension
    static final DevAgent AGENT = new DevAgent();

    @TempDir
    Path dir;

    private static Map<String, NodeService> services() {
        return AGENT.client().agent().services();
    }

    @AfterEach
    void removeAll() {
        services().keySet().forEach(id -> AGENT.client().agent().serviceDeregister(id));
    }

    private Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    @Test
    void registersFromAJsonFileWithSnakeCaseKeys() throws IOException {
        Path f = write("web.json", """
                {"service": {"name": "web", "id": "web-1", "port": 8080, "tags": ["v1"],
                             "meta": {"team_name": "payments"}, "enable_tag_override": true,
                             "tagged_addresses": {"lan": {"address": "10.0.0.1", "port": 8080}},
                             "check": {"ttl": "30s"}}}""");
        Cli.Result r = Cli.run("services", "register", f.toString());
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo("Registered service: web\n");
        NodeService s = services().get("web-1");
        assertThat(s.service()).isEqualTo("web");
        assertThat(s.port()).isEqualTo(8080);
        assertThat(s.tags()).containsExactly("v1");
        assertThat(s.meta()).containsEntry("team_name", "payments");
        assertThat(s.enableTagOverride()).isTrue();
        assertThat(s.taggedAddresses().get("lan").address()).isEqualTo("10.0.0.1");
        assertThat(AGENT.client().agent().checks()).containsKey("service:web-1");

        Cli.Result d = Cli.run("services", "deregister", f.toString());
        assertThat(d.out()).isEqualTo("Deregistered service: web-1\n");
        assertThat(services()).doesNotContainKey("web-1");
    }

    @Test
    void registersEveryServiceOfAServicesListAndHcl() throws IOException {
        Path json = write("two.json", """
                {"services": [{"Name": "api", "Port": 1}, {"name": "worker"}]}""");
        Path hcl = write("cache.hcl", """
                service {
                  name = "cache"
                  port = 6379
                  tags = ["primary"]
                }
                """);
        Cli.Result r = Cli.run("services", "register", json.toString(), hcl.toString());
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo("Registered service: api\nRegistered service: worker\nRegistered service: cache\n");
        assertThat(services()).containsKeys("api", "worker", "cache");
        assertThat(services().get("cache").tags()).containsExactly("primary");
        assertThat(Cli.run("services", "deregister", json.toString(), hcl.toString()).out())
                .isEqualTo("Deregistered service: api\nDeregistered service: worker\nDeregistered service: cache\n");
    }

    @Test
    void registersFromFlags() {
        Cli.Result r = Cli.run("services", "register", "-name=db", "-id=db-main", "-port=5432", "-address=10.1.1.1",
                "-tag=primary", "-tag=pg", "-meta=version=16", "-tagged-address=wan=192.0.2.1:15432");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo("Registered service: db\n");
        NodeService s = services().get("db-main");
        assertThat(s.address()).isEqualTo("10.1.1.1");
        assertThat(s.tags()).containsExactly("primary", "pg");
        assertThat(s.meta()).containsEntry("version", "16");
        assertThat(s.taggedAddresses().get("wan").port()).isEqualTo(15432);

        assertThat(Cli.run("catalog", "services", "-tags").out()).contains("db          pg,primary\n");
        assertThat(Cli.run("services", "deregister", "-id=db-main").out()).isEqualTo("Deregistered service: db-main\n");
    }

    @Test
    void flagsFillInWhatAFileLeavesOut() throws IOException {
        Path f = write("bare.json", "{\"service\": {\"name\": \"bare\"}}");
        assertThat(Cli.run("services", "register", "-port=9000", "-tag=extra", f.toString()).code()).isZero();
        assertThat(services().get("bare").port()).isEqualTo(9000);
        assertThat(services().get("bare").tags()).containsExactly("extra");
    }

    @Test
    void mistakesAndBadFiles() throws IOException {
        assertThat(Cli.run("services", "register")).satisfies(r -> {
            assertThat(r.code()).isEqualTo(2);
            assertThat(r.err()).isEqualTo("Service registration requires at least one argument or flags.\n");
        });
        Path f = write("ok.json", "{\"service\": {\"name\": \"x\"}}");
        assertThat(Cli.run("services", "register", "-name=y", f.toString()).err())
                .isEqualTo("Service registration requires arguments or -id, not both.\n");
        assertThat(Cli.run("services", "deregister").err()).isEqualTo("Service deregistration requires at least one argument or -id.\n");
        assertThat(Cli.run("services", "deregister", "-id=x", f.toString()).err())
                .isEqualTo("Service deregistration requires arguments or -id, not both.\n");

        Path typo = write("typo.json", "{\"service\": {\"name\": \"x\", \"prot\": 1}}");
        Cli.Result bad = Cli.run("services", "register", typo.toString());
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).isEqualTo("Error: " + typo + ": unknown config key 'service.prot'\n");

        Cli.Result unknown = Cli.run("services", "deregister", "-id=nope");
        assertThat(unknown.code()).isEqualTo(1);
        assertThat(unknown.err()).startsWith("Error deregistering service \"nope\": Unexpected response code: 404 (Unknown service ID");
        assertThat(services()).isEmpty();
    }
}
