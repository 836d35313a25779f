package io.roster.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.roster.api.CheckDefinition;
import io.roster.api.ServiceDefinition;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Service and check definitions in config files, in every spelling Consul accepts. */
class DefinitionsTest {
    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    private static LoadedConfig load(Path f) {
        return ConfigLoader.load(List.of(f), List.of(), b -> b);
    }

    @Test
    void pigstyPostgresServiceLoadsVerbatim() throws IOException {
        Path d = Files.createDirectories(dir.resolve("consul.d"));
        try (InputStream in = getClass().getResourceAsStream("svc-postgres.json")) {
            Files.copy(in, d.resolve("svc-postgres.json"));
        }
        LoadedConfig l = ConfigLoader.load(List.of(), List.of(d), b -> b.dev(true));
        assertThat(l.checks()).isEmpty();
        assertThat(l.services()).hasSize(1);
        ServiceDefinition s = l.services().get(0);
        assertThat(s.name()).isEqualTo("postgres");
        assertThat(s.effectiveId()).isEqualTo("postgres");
        assertThat(s.port()).isEqualTo(5432);
        assertThat(s.tags()).containsExactly("primary", "pg-test");
        assertThat(s.meta()).containsOnly(
                Map.entry("type", "postgres"), Map.entry("role", "primary"), Map.entry("seq", "1"),
                Map.entry("instance", "pg-test-1"), Map.entry("service", "pg-test-primary"),
                Map.entry("cluster", "pg-test"), Map.entry("version", "13"));
        assertThat(s.checks()).isNull();
        CheckDefinition c = s.check();
        assertThat(c.type()).isEqualTo("tcp");
        assertThat(c.tcp()).isEqualTo("127.0.0.1:5432");
        assertThat(c.interval()).isEqualTo("15s");
        assertThat(c.timeout()).isEqualTo("1s");
    }

    @Test
    void snakePascalAndLowerCaseKeysBindAlike() throws IOException {
        String snake = """
                {"service": {"name": "web", "id": "web-1", "port": 80, "enable_tag_override": true,
                  "tagged_addresses": {"lan_ipv4": {"address": "10.0.0.1", "port": 80}},
                  "weights": {"passing": 3, "warning": 1},
                  "check": {"check_id": "web-http", "http": "http://localhost/health", "interval": "10s",
                            "tls_skip_verify": true, "deregister_critical_service_after": "90m",
                            "success_before_passing": 2, "failures_before_critical": 3,
                            "header": {"X-Some_Header": ["a", "b"]}, "method": "HEAD"}}}
                """;
        String pascal = """
                {"Service": {"Name": "web", "ID": "web-1", "Port": 80, "EnableTagOverride": true,
                  "TaggedAddresses": {"lan_ipv4": {"Address": "10.0.0.1", "Port": 80}},
                  "Weights": {"Passing": 3, "Warning": 1},
                  "Check": {"CheckID": "web-http", "HTTP": "http://localhost/health", "Interval": "10s",
                            "TLSSkipVerify": true, "DeregisterCriticalServiceAfter": "90m",
                            "SuccessBeforePassing": 2, "FailuresBeforeCritical": 3,
                            "Header": {"X-Some_Header": ["a", "b"]}, "Method": "HEAD"}}}
                """;
        String lower = """
                service {
                  name = "web"
                  id = "web-1"
                  port = 80
                  enabletagoverride = true
                  taggedaddresses { lan_ipv4 { address = "10.0.0.1", port = 80 } }
                  weights { passing = 3, warning = 1 }
                  check {
                    id = "web-http"
                    http = "http://localhost/health"
                    interval = "10s"
                    tlsskipverify = true
                    deregistercriticalserviceafter = "90m"
                    successbeforepassing = 2
                    failuresbeforecritical = 3
                    header { "X-Some_Header" = ["a", "b"] }
                    method = "HEAD"
                  }
                }
                """;
        ServiceDefinition a = load(write("snake.json", snake)).services().get(0);
        ServiceDefinition b = load(write("pascal.json", pascal)).services().get(0);
        ServiceDefinition c = load(write("lower.hcl", lower)).services().get(0);
        assertThat(b).isEqualTo(a);
        assertThat(c).isEqualTo(a);
        assertThat(a.id()).isEqualTo("web-1");
        assertThat(a.enableTagOverride()).isTrue();
        assertThat(a.taggedAddresses()).containsEntry("lan_ipv4", new ServiceDefinition.ServiceAddress("10.0.0.1", 80));
        assertThat(a.weights()).isEqualTo(new ServiceDefinition.Weights(3, 1));
        CheckDefinition ch = a.check();
        assertThat(ch.id()).isEqualTo("web-http");
        assertThat(ch.tlsSkipVerify()).isTrue();
        assertThat(ch.deregisterCriticalServiceAfter()).isEqualTo("90m");
        assertThat(ch.successBeforePassing()).isEqualTo(2);
        assertThat(ch.failuresBeforeCritical()).isEqualTo(3);
        assertThat(ch.header()).containsExactly(Map.entry("X-Some_Header", List.of("a", "b")));
        assertThat(ch.method()).isEqualTo("HEAD");
    }

    @Test
    void userMapKeysAreKeptVerbatim() throws IOException {
        ServiceDefinition s = load(write("meta.json", """
                {"service": {"name": "api", "meta": {"some_key": "v", "SomeKey": "w", "some-key": "x"},
                  "tagged_addresses": {"Lan_IPv4": {"address": "10.0.0.1", "port": 1}}}}
                """)).services().get(0);
        assertThat(s.meta()).containsOnly(Map.entry("some_key", "v"), Map.entry("SomeKey", "w"), Map.entry("some-key", "x"));
        assertThat(s.taggedAddresses()).containsOnlyKeys("Lan_IPv4");
        ServiceDefinition h = load(write("meta.hcl", "service {\n  name = \"api\"\n  meta { some_key = \"v\" }\n}\n"))
                .services().get(0);
        assertThat(h.meta()).containsExactly(Map.entry("some_key", "v"));
    }

    @Test
    void servicesAndChecksComeFromEveryForm() throws IOException {
        LoadedConfig l = load(write("all.hcl", """
                services = [
                  { name = "a" },
                  { name = "b", checks = [{ ttl = "30s" }, { tcp = "localhost:2", interval = "5s" }] }
                ]
                service { name = "c" }
                service { name = "d" }
                check {
                  name = "disk"
                  ttl = "1m"
                }
                checks = [{ name = "mem", ttl = "1m" }, { name = "alias", alias_service = "a", service_id = "b" }]
                """));
        assertThat(l.services()).extracting(ServiceDefinition::name).containsExactly("a", "b", "c", "d");
        assertThat(l.services().get(1).checks()).extracting(CheckDefinition::type).containsExactly("ttl", "tcp");
        assertThat(l.checks()).extracting(CheckDefinition::name).containsExactly("mem", "alias", "disk");
        assertThat(l.checks().get(1).serviceId()).isEqualTo("b");
        assertThat(l.checks().get(1).type()).isEqualTo("alias");
    }

    @Test
    void badDefinitionsNameTheFileAndField() throws IOException {
        assertError("{\"service\": {\"port\": 80}}", "service.name: missing service name");
        assertError("{\"services\": [{\"name\": \"a\"}, {\"name\": \"\"}]}", "services[1].name: missing service name");
        assertError("{\"service\": {\"name\": \"a\", \"port\": 70000}}", "service.port: 70000 is out of range (0-65535)");
        assertError("{\"service\": {\"name\": \"a\", \"port\": \"80\"}}", "service.port: must be a number, not the string \"80\"");
        assertError("{\"service\": {\"name\": \"a\", \"tags\": \"x\", \"prot\": 1}}", "unknown config key 'service.prot'");
        assertError("{\"service\": {\"name\": \"a\", \"meta\": {\"k\": 1}}}", "service.meta.k: must be a string, not 1");
        assertError("{\"service\": {\"name\": \"a\", \"meta\": {\"bad key\": \"v\"}}}",
                "service.meta: metadata key 'bad key' may only contain letters, digits, '_' and '-'");
        assertError("{\"services\": [{\"name\": \"a\", \"check\": {\"tcp\": \"x:1\", \"interval\": \"15x\"}}]}",
                "services[0].check.interval: time: unknown unit \"x\" in duration \"15x\"");
        assertError("{\"service\": {\"name\": \"a\", \"checks\": [{\"ttl\": \"1m\"}, {\"http\": \"http://x/\"}]}}",
                "service.checks[1].interval: must be set (greater than 0) for http, tcp, udp, grpc and script checks");
        assertError("{\"service\": {\"name\": \"a\", \"check\": {\"notes\": \"nothing to run\"}}}",
                "service.check: no check type: set one of http, tcp, udp, grpc, args, ttl, alias_service or alias_node");
        assertError("{\"service\": {\"name\": \"a\", \"check\": {\"ttl\": \"0s\"}}}", "service.check.ttl: must be greater than 0");
        assertError("{\"service\": {\"name\": \"a\", \"check\": {\"ttl\": \"10s\", \"interval\": \"10s\"}}}",
                "service.check: interval and ttl cannot both be set");
        assertError("{\"service\": {\"name\": \"a\", \"check\": {\"h2ping\": \"localhost:1\", \"interval\": \"1s\"}}}",
                "service.check.h2ping: 'h2ping' checks are not supported by Roster yet");
        assertError("{\"service\": {\"name\": \"a\", \"check\": {\"ttl\": \"1m\", \"status\": \"ok\"}}}",
                "service.check.status: must be passing, warning or critical, not \"ok\"");
        assertError("{\"checks\": [{\"ttl\": \"1m\"}]}", "checks[0].name: missing check name");
        Path two = write("two.hcl", "service {\n  name = \"a\"\n  check { ttl = \"1m\" }\n  check { ttl = \"2m\" }\n}\n");
        assertThatThrownBy(() -> load(two)).hasMessage(two + ": service.check: a service has one 'check'; list several in 'checks'");
        assertError("{\"service\": \"web\"}", "service: must be an object or a list of objects, not the string \"web\"");
        assertError("{\"service\": {\"name\": \"a\", \"weights\": {\"passing\": 0}}}",
                "service.weights.passing: 0 is out of range (1-2147483647)");
    }

    @Test
    void consulServiceFieldsRosterDoesNotUseAreAccepted() throws IOException {
        ServiceDefinition s = load(write("connect.json", """
                {"service": {"name": "web", "token": "t", "connect": {"sidecar_service": {}},
                  "check": {"tcp": "x:1", "interval": "5s", "output_max_size": 100, "token": "t"}}}
                """)).services().get(0);
        assertThat(s.name()).isEqualTo("web");
        assertThat(s.check().tcp()).isEqualTo("x:1");
    }

    private void assertError(String json, String detail) throws IOException {
        Path f = write("bad.json", json);
        assertThatThrownBy(() -> load(f)).isInstanceOf(ConfigException.class).hasMessage(f + ": " + detail);
    }
}
