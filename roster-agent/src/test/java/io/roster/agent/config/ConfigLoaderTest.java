package io.roster.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.roster.agent.AgentConfig;
import io.roster.api.ServiceDefinition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading, merging and precedence, as Consul's agent does them. */
class ConfigLoaderTest {
    private static final UnaryOperator<AgentConfig.Builder> NO_FLAGS = b -> b;

    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        return p;
    }

    private static AgentConfig load(Path... files) {
        return ConfigLoader.load(List.of(files), List.of(), NO_FLAGS).agent();
    }

    @Test
    void noFilesGiveConsulDefaults() {
        AgentConfig c = ConfigLoader.load(List.of(), List.of(), NO_FLAGS).agent();
        assertThat(c.datacenter()).isEqualTo("dc1");
        assertThat(c.httpPort()).isEqualTo(8500);
        assertThat(c.dnsPort()).isEqualTo(8600);
        assertThat(c.serverPort()).isEqualTo(8300);
        assertThat(c.domain()).isEqualTo("consul.");
        assertThat(c.altDomain()).isNull();
        assertThat(c.checkUpdateInterval()).isEqualTo(Duration.ofMinutes(5));
        assertThat(c.checkOutputMaxSize()).isEqualTo(4096);
        assertThat(c.bindAddr()).isEqualTo("0.0.0.0");
        assertThat(c.ui()).isFalse();
        assertThat(c.nodeMeta()).isEmpty();
        assertThat(c.retryJoin()).isEmpty();
        assertThat(c.recursors()).isEmpty();
        assertThat(c.dnsConfig()).isEmpty();
        assertThat(c.encrypt()).isNull();
        assertThat(c.configFiles()).isEmpty();
    }

    @Test
    void jsonFileSetsEverySupportedKey() throws IOException {
        Path f = write("agent.json", """
                {
                  "node_name": "web-1",
                  "datacenter": "east",
                  "data_dir": "/var/lib/roster",
                  "log_level": "DEBUG",
                  "client_addr": "0.0.0.0",
                  "bind_addr": "10.0.0.5",
                  "server": true,
                  "bootstrap_expect": 3,
                  "retry_join": ["10.0.0.1", "provider=aws tag_key=consul"],
                  "ui_config": {"enabled": true},
                  "enable_script_checks": true,
                  "enable_local_script_checks": true,
                  "node_meta": {"some_key": "v", "rack": "r1"},
                  "session_ttl_min": "5s",
                  "check_update_interval": "30s",
                  "check_output_max_size": 8192,
                  "raft_snapshot_threshold": 2500,
                  "limits": {"kv_max_value_size": 1048576, "txn_max_req_len": 64, "http_max_conns_per_client": 200},
                  "ports": {"http": 18500, "dns": 18600, "server": 18300, "serf_lan": 18301, "grpc": -1},
                  "dns_config": {"allow_stale": true, "max_stale": "87600h", "service_ttl": {"*": "5s", "web_app": "30s"},
                                 "soa": {"min_ttl": 0}, "udp_answer_limit": 3},
                  "domain": "roster",
                  "alt_domain": "example.internal.",
                  "recursors": ["1.1.1.1", "8.8.8.8:53"],
                  "encrypt": "pUqJrVyVRj5jsiYEkM/tFQYfWyJIv4s3XkvDwy7Cu5s="
                }
                """);
        AgentConfig c = load(f);
        assertThat(c.nodeName()).isEqualTo("web-1");
        assertThat(c.datacenter()).isEqualTo("east");
        assertThat(c.dataDir()).isEqualTo(Path.of("/var/lib/roster"));
        assertThat(c.logLevel()).isEqualTo("debug");
        assertThat(c.clientAddr()).isEqualTo("0.0.0.0");
        assertThat(c.bindAddr()).isEqualTo("10.0.0.5");
        assertThat(c.server()).isTrue();
        assertThat(c.bootstrapExpect()).isEqualTo(3);
        assertThat(c.raftSnapshotThreshold()).isEqualTo(2500);
        assertThat(c.serfLanPort()).isEqualTo(18301);
        assertThat(c.retryJoin()).containsExactly("10.0.0.1", "provider=aws tag_key=consul");
        assertThat(c.ui()).isTrue();
        assertThat(c.enableScriptChecks()).isTrue();
        assertThat(c.enableLocalScriptChecks()).isTrue();
        assertThat(c.nodeMeta()).containsExactly(Map.entry("some_key", "v"), Map.entry("rack", "r1"));
        assertThat(c.sessionTtlMin()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.checkUpdateInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.checkOutputMaxSize()).isEqualTo(8192);
        assertThat(c.kvMaxValueSize()).isEqualTo(1048576);
        assertThat(c.txnMaxOps()).isEqualTo(64);
        assertThat(c.httpPort()).isEqualTo(18500);
        assertThat(c.dnsPort()).isEqualTo(18600);
        assertThat(c.serverPort()).isEqualTo(18300);
        assertThat(c.dnsConfig()).containsEntry("allow_stale", true).containsEntry("max_stale", "87600h")
                .containsEntry("service_ttl", Map.of("*", "5s", "web_app", "30s"))
                .containsEntry("soa", Map.of("min_ttl", 0)).containsEntry("udp_answer_limit", 3);
        assertThat(c.domain()).isEqualTo("roster.");
        assertThat(c.altDomain()).isEqualTo("example.internal.");
        assertThat(c.recursors()).containsExactly("1.1.1.1", "8.8.8.8:53");
        assertThat(c.encrypt()).isEqualTo("pUqJrVyVRj5jsiYEkM/tFQYfWyJIv4s3XkvDwy7Cu5s=");
        assertThat(c.configFiles()).containsExactly(f);
    }

    @Test
    void hclFileSetsTheSameKeys() throws IOException {
        Path f = write("agent.hcl", """
                # a Consul agent, in HCL
                node_name  = "web-1"
                datacenter = "east"
                server     = true
                bootstrap_expect = 3
                retry_join = ["10.0.0.1", "10.0.0.2"]
                ui_config {
                  enabled = true
                }
                node_meta {
                  some_key = "v"
                  "rack-id" = "r1"
                }
                ports {
                  http = 18500
                  dns  = -1
                }
                limits {
                  kv_max_value_size = 1048576
                }
                dns_config {
                  service_ttl {
                    "*" = "5s"
                  }
                  soa { min_ttl = 0 }
                }
                check_update_interval = "1m30s"
                domain = "roster."
                """);
        AgentConfig c = load(f);
        assertThat(c.nodeName()).isEqualTo("web-1");
        assertThat(c.server()).isTrue();
        assertThat(c.bootstrapExpect()).isEqualTo(3);
        assertThat(c.retryJoin()).containsExactly("10.0.0.1", "10.0.0.2");
        assertThat(c.ui()).isTrue();
        assertThat(c.nodeMeta()).containsExactly(Map.entry("some_key", "v"), Map.entry("rack-id", "r1"));
        assertThat(c.httpPort()).isEqualTo(18500);
        assertThat(c.dnsPort()).isEqualTo(-1);
        assertThat(c.kvMaxValueSize()).isEqualTo(1048576L);
        assertThat(c.dnsConfig()).containsEntry("service_ttl", Map.of("*", "5s")).containsEntry("soa", Map.of("min_ttl", 0));
        assertThat(c.checkUpdateInterval()).isEqualTo(Duration.ofSeconds(90));
        assertThat(c.domain()).isEqualTo("roster.");
    }

    @Test
    void laterFilesWinForScalarsMergeMapsAndAppendLists() throws IOException {
        Path a = write("a.json", """
                {"node_name": "first", "datacenter": "east", "node_meta": {"a": "1", "b": "1"},
                 "ports": {"http": 1111, "dns": 2222}, "retry_join": ["x"],
                 "dns_config": {"allow_stale": true, "service_ttl": {"web": "1s"}},
                 "service": {"name": "one"}}
                """);
        Path b = write("b.hcl", """
                node_name = "second"
                node_meta { b = "2" }
                ports { http = 3333 }
                retry_join = ["y"]
                dns_config {
                  service_ttl { db = "2s" }
                }
                services = [{ name = "two" }, { name = "three" }]
                """);
        LoadedConfig l = ConfigLoader.load(List.of(a, b), List.of(), NO_FLAGS);
        AgentConfig c = l.agent();
        assertThat(c.nodeName()).isEqualTo("second");
        assertThat(c.datacenter()).isEqualTo("east");
        assertThat(c.nodeMeta()).containsExactly(Map.entry("a", "1"), Map.entry("b", "2"));
        assertThat(c.httpPort()).isEqualTo(3333);
        assertThat(c.dnsPort()).isEqualTo(2222);
        assertThat(c.retryJoin()).containsExactly("x", "y");
        assertThat(c.dnsConfig()).containsEntry("allow_stale", true)
                .containsEntry("service_ttl", Map.of("web", "1s", "db", "2s"));
        assertThat(l.services()).extracting(ServiceDefinition::name).containsExactly("one", "two", "three");

        // The other way round, the other file wins.
        assertThat(load(b, a).nodeName()).isEqualTo("first");
    }

    @Test
    void aDirectoryGivesItsJsonAndHclFilesInLexicalOrderAndSkipsTheRest() throws IOException {
        write("conf.d/20-b.hcl", "node_name = \"from-20\"\nservice { name = \"b\" }\n");
        write("conf.d/10-a.json", "{\"node_name\": \"from-10\", \"datacenter\": \"dc9\", \"service\": {\"name\": \"a\"}}");
        write("conf.d/30-c.json", "{\"service\": {\"name\": \"c\"}}");
        write("conf.d/99-notes.txt", "this is not { configuration");
        write("conf.d/50-old.json.bak", "{ broken");
        write("conf.d/sub/00-nested.json", "{\"node_name\": \"nested\"}");
        LoadedConfig l = ConfigLoader.load(List.of(), List.of(dir.resolve("conf.d")), NO_FLAGS);
        assertThat(l.agent().nodeName()).isEqualTo("from-20");
        assertThat(l.agent().datacenter()).isEqualTo("dc9");
        assertThat(l.services()).extracting(ServiceDefinition::name).containsExactly("a", "b", "c");
        assertThat(l.agent().configFiles()).containsExactly(dir.resolve("conf.d"));
    }

    @Test
    void pathsLoadInTheOrderGivenWhetherFilesOrDirectories() throws IOException {
        Path d = dir.resolve("d");
        write("d/a.json", "{\"node_name\": \"from-dir\"}");
        Path f = write("override.json", "{\"node_name\": \"from-file\"}");
        assertThat(ConfigLoader.load(List.of(d, f), NO_FLAGS).agent().nodeName()).isEqualTo("from-file");
        assertThat(ConfigLoader.load(List.of(f, d), NO_FLAGS).agent().nodeName()).isEqualTo("from-dir");
        // The (files, dirs) form reads the files first.
        assertThat(ConfigLoader.load(List.of(f), List.of(d), NO_FLAGS).agent().nodeName()).isEqualTo("from-dir");
    }

    @Test
    void flagsWinOverFiles() throws IOException {
        Path f = write("a.hcl", """
                node_name = "from-file"
                datacenter = "east"
                ports { http = 1111 }
                node_meta { rack = "file", zone = "a" }
                retry_join = ["file-peer"]
                """);
        LoadedConfig l = ConfigLoader.load(List.of(f), List.of(),
                b -> b.nodeName("from-flag").httpPort(2222).putNodeMeta("rack", "flag").addRetryJoin(List.of("flag-peer")));
        AgentConfig c = l.agent();
        assertThat(c.nodeName()).isEqualTo("from-flag");
        assertThat(c.datacenter()).isEqualTo("east"); // no flag: the file's value stays
        assertThat(c.httpPort()).isEqualTo(2222);
        assertThat(c.nodeMeta()).containsExactly(Map.entry("rack", "flag"), Map.entry("zone", "a"));
        assertThat(c.retryJoin()).containsExactly("file-peer", "flag-peer");
    }

    @Test
    void aBadFlagValueIsAnErrorWithoutAFile() {
        assertThatThrownBy(() -> ConfigLoader.load(List.of(), List.of(), b -> b.dnsPort(70000)))
                .isInstanceOf(ConfigException.class)
                .hasMessage("invalid DNS port 70000: use -1 (off), 0 (any free port) or 1-65535")
                .satisfies(e -> assertThat(((ConfigException) e).file()).isNull());
    }

    @Test
    void settingsFromSeveralFilesAreJudgedTogether() throws IOException {
        Path a = write("a.json", "{\"bootstrap_expect\": 3}");
        Path b = write("b.json", "{\"server\": true}");
        assertThat(load(a, b).bootstrapExpect()).isEqualTo(3);
        assertThatThrownBy(() -> load(a)).isInstanceOf(ConfigException.class)
                .hasMessage("bootstrap_expect > 0 requires server mode (-server)");
        assertThatThrownBy(() -> ConfigLoader.load(List.of(a, b), List.of(), x -> x.dev(true)))
                .hasMessage("bootstrap_expect > 0 is not allowed in dev mode");
    }

    @Test
    void devModeDefaults() {
        AgentConfig c = ConfigLoader.load(List.of(), List.of(), b -> b.dev(true)).agent();
        assertThat(c.bindAddr()).isEqualTo("127.0.0.1");
        assertThat(c.ui()).isTrue();
        assertThat(c.server()).isTrue();
    }

    @Test
    void uiConfigEnabledBeatsTheOlderUiKey() throws IOException {
        assertThat(load(write("a.hcl", "ui = true\nui_config { enabled = false }\n")).ui()).isFalse();
        assertThat(load(write("b.hcl", "ui = true\n")).ui()).isTrue();
    }

    @Test
    void uiDirAndKvHistoryVersions() throws IOException {
        java.nio.file.Files.createDirectories(dir.resolve("web"));
        java.nio.file.Files.createDirectories(dir.resolve("old"));
        var c = load(write("u.hcl", "ui_dir = \"" + dir.resolve("old") + "\"\nui_config { enabled = true, dir = \""
                + dir.resolve("web") + "\" }\nkv_history_versions = 25\n"));
        assertThat(c.uiDir()).as("ui_config.dir beats ui_dir").isEqualTo(dir.resolve("web"));
        assertThat(c.kvHistoryVersions()).isEqualTo(25);
        assertThat(load(write("d.hcl", "ui = true\n")).kvHistoryVersions()).as("default").isEqualTo(10);
        assertThatThrownBy(() -> load(write("n.hcl", "kv_history_versions = -1\n"))).hasMessageContaining("kv_history_versions");
        assertThatThrownBy(() -> load(write("m.hcl", "ui_config { dir = \"" + dir.resolve("missing") + "\" }\n")))
                .hasMessageContaining("is not a directory");
    }

    @Test
    void unknownTopLevelKeyIsAnErrorNamingTheKeyAndFile() throws IOException {
        Path f = write("typo.json", "{\"node_nmae\": \"x\"}");
        assertThatThrownBy(() -> load(f)).isInstanceOf(ConfigException.class)
                .hasMessage(f + ": unknown config key 'node_nmae'")
                .satisfies(e -> assertThat(((ConfigException) e).file()).isEqualTo(f));
        Path g = write("typo.hcl", "ports {\n  htp = 1\n}\n");
        assertThatThrownBy(() -> load(g)).hasMessage(g + ": unknown config key 'ports.htp'");
        Path h = write("dns.hcl", "dns_config { allow_stal = true }\n");
        assertThatThrownBy(() -> load(h)).hasMessage(h + ": unknown config key 'dns_config.allow_stal'");
    }

    @Test
    void consulKeysRosterDoesNotUseAreAccepted() throws IOException {
        Path f = write("consul.hcl", """
                telemetry {
                  prometheus_retention_time = "24h"
                  disable_hostname = true
                }
                acl {
                  enabled = true
                  default_policy = "deny"
                  tokens { agent = "secret" }
                }
                connect { enabled = true }
                performance { raft_multiplier = 1 }
                addresses { http = "0.0.0.0" }
                advertise_addr = "10.0.0.5"
                leave_on_terminate = true
                log_file = "/var/log/consul/"
                ports { grpc = 8502, https = -1 }
                limits { http_max_conns_per_client = 400 }
                ui_config { enabled = true, content_path = "/ui/" }
                node_name = "n1"
                """);
        AgentConfig c = load(f);
        assertThat(c.nodeName()).isEqualTo("n1");
        assertThat(c.ui()).isTrue();
        // The acl stanza is read since issue 18; its tokens never print.
        assertThat(c.acl().enabled()).isTrue();
        assertThat(c.acl().defaultPolicy()).isEqualTo("deny");
        assertThat(c.acl().agentToken()).isEqualTo("secret");
        assertThat(c.toString() + c.acl()).doesNotContain("secret");
    }

    @Test
    void primaryDatacenterAndTokenReplicationAreRead() throws IOException {
        AgentConfig c = load(write("acl-dc.json", "{\"primary_datacenter\": \"dc1\", \"datacenter\": \"dc2\","
                + " \"acl\": {\"enabled\": true, \"enable_token_replication\": true, \"tokens\": {\"replication\": \"rep\"}}}"));
        assertThat(c.membership().wan().primaryDatacenter()).isEqualTo("dc1");
        assertThat(c.acl().enableTokenReplication()).isTrue();
        assertThat(c.acl().replication()).isEqualTo("rep");
        assertThat(c.acl().toString()).doesNotContain("rep]").contains("enableTokenReplication=true");
        AgentConfig plain = load(write("acl-plain.json", "{\"acl\": {\"enabled\": true}}"));
        assertThat(plain.membership().wan().primaryDatacenter()).isEmpty();
        assertThat(plain.acl().enableTokenReplication()).isFalse();
    }

    @Test
    void aclStanzaValuesAreChecked() throws IOException {
        assertError("{\"acl\": {\"default_policy\": \"maybe\"}}", "acl.default_policy: must be allow or deny, not \"maybe\"");
        assertError("{\"acl\": {\"down_policy\": \"later\"}}",
                "acl.down_policy: must be allow, deny, extend-cache or async-cache, not \"later\"");
        assertError("{\"acl\": {\"tokens\": {\"agnet\": \"x\"}}}", "unknown config key 'acl.tokens.agnet'");
        AgentConfig c = load(write("acl.json", "{\"acl\": {\"enabled\": true, \"down_policy\": \"deny\", \"token_ttl\": \"1m\","
                + " \"tokens\": {\"master\": \"m\", \"agent_master\": \"r\", \"default\": \"d\"}}}"));
        assertThat(c.acl().initialManagement()).isEqualTo("m");
        assertThat(c.acl().agentRecovery()).isEqualTo("r");
        assertThat(c.acl().defaultToken()).isEqualTo("d");
        assertThat(c.acl().downPolicy()).isEqualTo("deny");
        assertThat(c.acl().tokenTtl()).isEqualTo(java.time.Duration.ofMinutes(1));
        assertThat(c.acl().defaultPolicy()).isEqualTo("allow");
    }

    @Test
    void keysMatchIgnoringCaseAsInConsul() throws IOException {
        assertThat(load(write("a.json", "{\"Node_Name\": \"n2\", \"PORTS\": {\"HTTP\": 1}}")).nodeName()).isEqualTo("n2");
    }

    @Test
    void badValuesNameTheFileAndTheField() throws IOException {
        assertError("{\"session_ttl_min\": \"10x\"}", "session_ttl_min: time: unknown unit \"x\" in duration \"10x\"");
        assertError("{\"check_update_interval\": 5}", "check_update_interval: must be a string, not 5");
        assertError("{\"ports\": {\"http\": 70000}}", "ports.http: 70000 is out of range (-1-65535)");
        assertError("{\"ports\": {\"dns\": \"8600\"}}", "ports.dns: must be a number, not the string \"8600\"");
        assertError("{\"server\": \"yes\"}", "server: must be true or false, not the string \"yes\"");
        assertError("{\"retry_join\": [1]}", "retry_join[0]: must be a string, not 1");
        assertError("{\"bootstrap_expect\": 1.5}", "bootstrap_expect: must be a whole number, not 1.5");
        assertError("{\"node_name\": \"bad name\"}", "node_name: invalid node name 'bad name': use 1-63 letters, "
                + "digits, '-', '_' or '.', starting with a letter or digit");
        assertError("{\"log_level\": \"loud\"}", "log_level: invalid log level 'loud': use trace, debug, info, warn or error");
        assertError("{\"node_meta\": {\"consul-x\": \"v\"}}",
                "node_meta: invalid node_meta: metadata key 'consul-x' uses the reserved prefix 'consul-'");
        assertError("{\"node_meta\": {\"k\": 1}}", "node_meta.k: must be a string, not 1");
        assertError("{\"encrypt\": \"c2hvcnQ=\"}",
                "encrypt: invalid encrypt key: must be 16, 24 or 32 bytes, base64-encoded (got 5)");
        assertError("{\"bind_addr\": \"{{ GetPrivateIPz }}\"}", "bind_addr: bind_addr: unknown function \"GetPrivateIPz\" in template"
                + " '{{ GetPrivateIPz }}' (Roster supports GetAllInterfaces, GetDefaultInterfaces, GetPrivateInterfaces,"
                + " GetPublicInterfaces, GetPrivateIP(s), GetPublicIP(s), GetInterfaceIP(s), include, exclude, sort, limit, offset,"
                + " unique, attr, join)");
        assertError("{\"bind_addr\": \"localhost\"}", "bind_addr: bind_addr: 'localhost' is not an IP address");
        assertError("{\"advertise_addr\": \"0.0.0.0\"}", "advertise_addr: Advertise address cannot be 0.0.0.0, :: or [::]");
        assertError("{\"bind_addr\": \"10.0.0.1 10.0.0.2\"}", "bind_addr: bind_addr cannot contain multiple addresses"
                + " (10.0.0.1 10.0.0.2). Use 'addresses.{dns,http,https}' instead.");
        assertError("{\"dns_config\": {\"node_ttl\": \"forever\"}}", "dns_config.node_ttl: time: invalid duration \"forever\"");
        assertError("{\"dns_config\": {\"recursor_strategy\": \"fast\"}}",
                "dns_config.recursor_strategy: must be \"sequential\" or \"random\", not \"fast\"");
        assertError("{\"domain\": \"bad domain\"}", "domain: invalid domain 'bad domain': use DNS labels such as 'consul.'");
        assertError("{\"session_ttl_min\": \"-5s\"}", "session_ttl_min: duration \"-5s\" must not be negative");
    }

    private void assertError(String json, String detail) throws IOException {
        Path f = write("bad.json", json);
        assertThatThrownBy(() -> load(f)).isInstanceOf(ConfigException.class).hasMessage(f + ": " + detail);
    }

    @Test
    void missingPathsAreErrors() throws IOException {
        Path nodir = dir.resolve("no-such-dir");
        assertThatThrownBy(() -> ConfigLoader.load(List.of(), List.of(nodir), NO_FLAGS))
                .isInstanceOf(ConfigException.class).hasMessage(nodir + ": no such file or directory");
        Path nofile = dir.resolve("no-such.json");
        assertThatThrownBy(() -> ConfigLoader.load(List.of(nofile), List.of(), NO_FLAGS))
                .hasMessage(nofile + ": no such file or directory");
        Path txt = write("agent.conf", "node_name = \"x\"");
        assertThatThrownBy(() -> ConfigLoader.load(List.of(txt), List.of(), NO_FLAGS))
                .hasMessage(txt + ": not a config file: the name must end in .json or .hcl");
    }

    @Test
    void emptyFilesAndDirectoriesAreFine() throws IOException {
        Path e = write("empty.json", "  \n");
        Files.createDirectories(dir.resolve("empty.d"));
        assertThat(ConfigLoader.load(List.of(e), List.of(dir.resolve("empty.d")), NO_FLAGS).services()).isEmpty();
    }

    @Test
    void scriptChecksInFilesNeedToBeEnabled() throws IOException {
        Path f = write("svc.hcl", """
                service {
                  name = "app"
                  check {
                    args = ["/usr/local/bin/check-app", "--fast"]
                    interval = "10s"
                  }
                }
                """);
        assertThatThrownBy(() -> load(f)).isInstanceOf(ConfigException.class)
                .hasMessage(f + ": service.check.args: script checks are disabled on this agent;"
                        + " set enable_script_checks or enable_local_script_checks to true");
        assertThat(ConfigLoader.load(List.of(f), List.of(), b -> b.enableLocalScriptChecks(true)).services()).hasSize(1);
        Path on = write("on.json", "{\"enable_script_checks\": true}");
        assertThat(ConfigLoader.load(List.of(f, on), List.of(), NO_FLAGS).services().get(0).check().args())
                .containsExactly("/usr/local/bin/check-app", "--fast");
        Path node = write("node.json", "{\"checks\": [{\"name\": \"disk\", \"args\": [\"df\"], \"interval\": \"1m\"}]}");
        assertThatThrownBy(() -> load(node)).hasMessageStartingWith(node + ": checks[0].args: script checks are disabled");
    }

    @Test
    void reloadReadsTheFilesAgainAndABrokenFileLeavesTheCallerWithWhatItHad() throws IOException {
        Path d = dir.resolve("conf.d");
        write("conf.d/agent.hcl", "node_name = \"v1\"\nservice { name = \"web\" }\n");
        UnaryOperator<AgentConfig.Builder> flags = b -> b.dev(true);
        LoadedConfig current = ConfigLoader.load(List.of(d), flags);
        assertThat(current.agent().nodeName()).isEqualTo("v1");
        assertThat(current.services()).extracting(ServiceDefinition::name).containsExactly("web");

        // Same inputs, changed disk: the new configuration.
        write("conf.d/agent.hcl", "node_name = \"v2\"\nservice { name = \"web\" }\n");
        write("conf.d/db.json", "{\"service\": {\"name\": \"db\", \"port\": 5432}}");
        current = ConfigLoader.load(current.agent().configFiles(), flags);
        assertThat(current.agent().nodeName()).isEqualTo("v2");
        assertThat(current.services()).extracting(ServiceDefinition::name).containsExactly("web", "db"); // agent.hcl < db.json

        // A broken file: the reload throws, and what the caller holds is untouched.
        write("conf.d/db.json", "{\"service\": {\"name\": \"db\", \"port\": 5432}");
        LoadedConfig before = current;
        List<Path> paths = current.agent().configFiles();
        assertThatThrownBy(() -> ConfigLoader.load(paths, flags))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(d.resolve("db.json") + ": line 1: invalid JSON");
        assertThat(before.agent().nodeName()).isEqualTo("v2");
        assertThat(before.services()).hasSize(2);

        // Fixed again: the reload succeeds.
        write("conf.d/db.json", "{\"service\": {\"name\": \"db\", \"port\": 5433}}");
        assertThat(ConfigLoader.load(paths, flags).services().get(1).port()).isEqualTo(5433);
    }

    @Test
    void theResultIsImmutable() throws IOException {
        LoadedConfig l = ConfigLoader.load(List.of(write("a.json",
                "{\"node_meta\": {\"a\": \"b\"}, \"retry_join\": [\"x\"], \"dns_config\": {\"soa\": {\"retry\": 1}},"
                        + " \"service\": {\"name\": \"s\"}}")), List.of(), NO_FLAGS);
        assertThatThrownBy(() -> l.agent().nodeMeta().put("c", "d")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> l.agent().retryJoin().add("y")).isInstanceOf(UnsupportedOperationException.class);
        @SuppressWarnings("unchecked")
        Map<String, Object> soa = (Map<String, Object>) l.agent().dnsConfig().get("soa");
        assertThatThrownBy(() -> soa.put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> l.services().clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void addressPortAndLogKeysAsConsulSpellsThem() throws IOException {
        Path f = write("net.json", """
                {
                  "bind_addr": "127.0.0.2",
                  "advertise_addr": "127.0.0.5",
                  "advertise_addr_wan": "198.51.100.7",
                  "client_addr": "127.0.0.1 127.0.0.3",
                  "addresses": {"http": "127.0.0.4", "dns": "127.0.0.1 127.0.0.6", "https": "127.0.0.1", "grpc": "127.0.0.1"},
                  "ports": {"http": 18500, "https": -1, "dns": 18600, "grpc": -1, "grpc_tls": -1, "serf_lan": 18301,
                            "serf_wan": 18302, "server": 18300, "sidecar_min_port": 21000, "sidecar_max_port": 21255,
                            "expose_min_port": 21500, "expose_max_port": 21755},
                  "pid_file": "/run/roster/roster.pid",
                  "log_file": "/var/log/roster/",
                  "log_rotate_bytes": 1048576,
                  "log_rotate_duration": "1h",
                  "log_rotate_max_files": 3
                }
                """);
        AgentConfig c = load(f);
        assertThat(c.bindAddr()).isEqualTo("127.0.0.2");
        assertThat(c.advertiseAddr()).isEqualTo("127.0.0.5");
        assertThat(c.advertiseAddrWan()).isEqualTo("198.51.100.7");
        assertThat(c.network().clientAddrs()).containsExactly("127.0.0.1", "127.0.0.3");
        assertThat(c.network().httpAddrs()).containsExactly("127.0.0.4");
        assertThat(c.network().dnsAddrs()).containsExactly("127.0.0.1", "127.0.0.6");
        assertThat(c.httpPort()).isEqualTo(18500);
        assertThat(c.dnsPort()).isEqualTo(18600);
        assertThat(c.serverPort()).isEqualTo(18300);
        assertThat(c.serfLanPort()).isEqualTo(18301);
        assertThat(c.serfWanPort()).isEqualTo(18302);
        assertThat(c.process().pidFile()).isEqualTo(Path.of("/run/roster/roster.pid"));
        assertThat(c.process().logFile()).isEqualTo("/var/log/roster/");
        assertThat(c.process().logRotateBytes()).isEqualTo(1048576);
        assertThat(c.process().logRotateDuration()).isEqualTo(Duration.ofHours(1));
        assertThat(c.process().logRotateMaxFiles()).isEqualTo(3);
        assertError("{\"ports\": {\"serf_wan\": 70000}}", "ports.serf_wan: 70000 is out of range (-1-65535)");
        assertError("{\"addresses\": {\"http\": \"my-host\"}}", "addresses: addresses.http: 'my-host' is not an IP address");
    }

    @Test
    void configFormatReadsFilesOfAnyNameAsThatFormat() throws IOException {
        write("conf.d/10-node.conf", "{\"node_name\": \"from-json\"}");
        write("conf.d/20-dc", "{\"datacenter\": \"east\"}");
        Path hcl = write("agent.cfg", "node_name = \"from-hcl\"\n");
        AgentConfig json = ConfigLoader.load(List.of(dir.resolve("conf.d")), "json", NO_FLAGS).agent();
        assertThat(json.nodeName()).isEqualTo("from-json");
        assertThat(json.datacenter()).isEqualTo("east");
        assertThat(ConfigLoader.load(List.of(hcl), "hcl", NO_FLAGS).agent().nodeName()).isEqualTo("from-hcl");
        // Without the flag such files are not config files, as in Consul.
        assertThat(ConfigLoader.load(List.of(dir.resolve("conf.d")), NO_FLAGS).agent().nodeName()).isNotEqualTo("from-json");
        assertThatThrownBy(() -> ConfigLoader.load(List.of(hcl), "yaml", NO_FLAGS))
                .hasMessage("-config-format must be 'hcl' or 'json', not 'yaml'");
    }
}
