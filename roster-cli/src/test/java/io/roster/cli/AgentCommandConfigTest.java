package io.roster.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.agent.AgentConfig;
import io.roster.agent.config.LoadedConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code roster agent} with config files and the flags that go with them; no agent is started. */
class AgentCommandConfigTest {
    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        return p;
    }

    /** Runs {@code roster args...} and returns the exit code and what went to stderr. */
    private static Result run(String... args) {
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = Main.commandLine().execute(args);
            return new Result(code, err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(old);
        }
    }

    private record Result(int code, String stderr) {
        String[] lines() {
            return stderr.strip().split("\n");
        }
    }

    private static LoadedConfig parse(String... args) {
        AgentCommand cmd = new AgentCommand();
        new CommandLine(cmd).parseArgs(args);
        return cmd.loadConfig();
    }

    @Test
    void aBrokenFileInTheConfigDirStopsTheAgentWithOneLineNamingIt() throws IOException {
        write("conf.d/00-ok.json", "{\"node_name\": \"n1\"}");
        Path broken = write("conf.d/10-broken.hcl", "node_name = \"n1\"\nports {\n  http = 8500\n");
        Result r = run("agent", "-dev", "-config-dir", dir.resolve("conf.d").toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.lines()).hasSize(1);
        assertThat(r.lines()[0]).isEqualTo("roster agent: " + broken + ": line 2: '{' is never closed (a '}' is missing)");
    }

    @Test
    void anUnknownKeyOrBadFieldIsOneLineAndExitCodeOne() throws IOException {
        Path f = write("typo.json", "{\"node_nmae\": \"x\"}");
        Result r = run("agent", "-dev", "-config-file=" + f);
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.lines()).containsExactly("roster agent: " + f + ": unknown config key 'node_nmae'");

        Path svc = write("svc.json", "{\"service\": {\"name\": \"a\", \"check\": {\"tcp\": \"x:1\", \"interval\": \"15\"}}}");
        r = run("agent", "-dev", "--config-file", svc.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.lines()).containsExactly("roster agent: " + svc + ": service.check.interval: time: missing unit in duration \"15\"");
    }

    @Test
    void aMissingConfigDirIsAnError() {
        Path nope = dir.resolve("nope");
        Result r = run("agent", "-dev", "-config-dir", nope.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.lines()).containsExactly("roster agent: " + nope + ": no such file or directory");
    }

    @Test
    void aServerConfigWithoutADataDirIsRefused() throws IOException {
        Path f = write("agent.hcl", "node_name = \"n1\"\nserver = true\n");
        Result r = run("agent", "-config-file", f.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.lines()).containsExactly("roster agent: a server needs -data-dir for its Raft log and snapshots");
        Path client = write("client.hcl", "node_name = \"n2\"\n");
        r = run("agent", "-config-file", client.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.lines()).containsExactly("roster agent: Must specify data directory using -data-dir");
    }

    @Test
    void aBadFlagWithoutFilesIsStillAUsageError() {
        Result r = run("agent", "-dev", "-dns-port", "70000");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.lines()).containsExactly("roster agent: invalid DNS port 70000: use -1 (off), 0 (any free port) or 1-65535");
        r = run("agent", "-dev", "-node", "bad name");
        assertThat(r.code()).isEqualTo(2);
    }

    @Test
    void flagsWinOverFiles() throws IOException {
        Path f = write("agent.hcl", """
                node_name = "from-file"
                datacenter = "east"
                bind_addr = "10.0.0.1"
                ports { http = 1111, dns = 2222 }
                ui_config { enabled = true }
                node_meta { rack = "file", zone = "a" }
                retry_join = ["file-peer"]
                recursors = ["9.9.9.9"]
                domain = "file.example"
                enable_script_checks = false
                """);
        AgentConfig c = parse("-config-file", f.toString(), "-node", "from-flag", "-http-port", "3333",
                "-dns-port=-1", "-bind", "10.0.0.2", "-ui=false", "-node-meta", "rack:flag", "-node-meta=blank",
                "-server", "-bootstrap-expect", "3", "-retry-join", "flag-peer", "-recursor", "1.1.1.1",
                "-domain", "flag.example", "-alt-domain", "alt.example", "-enable-script-checks",
                "-enable-local-script-checks", "-encrypt", "pUqJrVyVRj5jsiYEkM/tFQYfWyJIv4s3XkvDwy7Cu5s=").agent();
        assertThat(c.nodeName()).isEqualTo("from-flag");
        assertThat(c.datacenter()).isEqualTo("east");
        assertThat(c.httpPort()).isEqualTo(3333);
        assertThat(c.dnsPort()).isEqualTo(-1);
        assertThat(c.bindAddr()).isEqualTo("10.0.0.2");
        assertThat(c.ui()).isFalse();
        assertThat(c.nodeMeta()).containsExactly(Map.entry("rack", "flag"), Map.entry("zone", "a"), Map.entry("blank", ""));
        assertThat(c.server()).isTrue();
        assertThat(c.bootstrapExpect()).isEqualTo(3);
        assertThat(c.retryJoin()).containsExactly("file-peer", "flag-peer");
        assertThat(c.recursors()).containsExactly("9.9.9.9", "1.1.1.1");
        assertThat(c.domain()).isEqualTo("flag.example.");
        assertThat(c.altDomain()).isEqualTo("alt.example.");
        assertThat(c.enableScriptChecks()).isTrue();
        assertThat(c.enableLocalScriptChecks()).isTrue();
        assertThat(c.encrypt()).isEqualTo("pUqJrVyVRj5jsiYEkM/tFQYfWyJIv4s3XkvDwy7Cu5s=");

        // Without the flags, the file's values stand.
        AgentConfig fileOnly = parse("-config-file", f.toString()).agent();
        assertThat(fileOnly.nodeName()).isEqualTo("from-file");
        assertThat(fileOnly.ui()).isTrue();
        assertThat(fileOnly.bindAddr()).isEqualTo("10.0.0.1");
    }

    @Test
    void configFilesAndDirsApplyInCommandLineOrder() throws IOException {
        Path d = dir.resolve("conf.d");
        write("conf.d/a.json", "{\"node_name\": \"from-dir\"}");
        Path f = write("override.json", "{\"node_name\": \"from-file\"}");
        Path g = write("later.hcl", "node_name = \"from-later\"\n");
        assertThat(parse("-config-dir", d.toString(), "-config-file", f.toString()).agent().nodeName()).isEqualTo("from-file");
        assertThat(parse("-config-file", f.toString(), "-config-dir", d.toString()).agent().nodeName()).isEqualTo("from-dir");
        LoadedConfig l = parse("-config-file", f.toString(), "-config-dir", d.toString(), "-config-file", g.toString());
        assertThat(l.agent().nodeName()).isEqualTo("from-later");
        assertThat(l.agent().configFiles()).containsExactly(f, d, g);
    }

    @Test
    void servicesFromTheConfigDirAreLoaded() throws IOException {
        // Pigsty's svc-postgres.json, as it drops it into /etc/consul.d
        write("conf.d/svc-postgres.json", """
                {"service": {"name": "postgres", "port": 5432, "tags": ["primary", "pg-test"],
                  "meta": {"type": "postgres", "role": "primary", "seq": "1", "instance": "pg-test-1",
                           "service": "pg-test-primary", "cluster": "pg-test", "version": "13"},
                  "check": {"tcp": "127.0.0.1:5432", "interval": "15s", "timeout": "1s"}}}
                """);
        LoadedConfig l = parse("-dev", "-config-dir", dir.resolve("conf.d").toString());
        assertThat(l.services()).hasSize(1);
        assertThat(l.services().get(0).name()).isEqualTo("postgres");
        assertThat(l.services().get(0).check().interval()).isEqualTo("15s");
    }

    @Test
    void addressProcessAndFormatFlags() throws IOException {
        Path f = write("agent.conf", """
                {"bind_addr": "10.0.0.1", "advertise_addr": "10.0.0.9", "ports": {"serf_wan": 9302}, "log_file": "/var/log/a/"}
                """);
        AgentConfig c = parse("-config-file", f.toString(), "-config-format=json", "-advertise", "10.0.0.7",
                "-advertise-wan=203.0.113.7", "-client", "127.0.0.1 10.0.0.1", "-serf-wan-port=8402",
                "-pid-file=/run/roster.pid", "-log-rotate-bytes=1000", "-log-rotate-duration=2h",
                "-log-rotate-max-files=-1").agent();
        assertThat(c.bindAddr()).isEqualTo("10.0.0.1");
        assertThat(c.advertiseAddr()).isEqualTo("10.0.0.7");
        assertThat(c.advertiseAddrWan()).isEqualTo("203.0.113.7");
        assertThat(c.network().clientAddrs()).containsExactly("127.0.0.1", "10.0.0.1");
        assertThat(c.serfWanPort()).isEqualTo(8402);
        assertThat(c.process().pidFile()).isEqualTo(Path.of("/run/roster.pid"));
        assertThat(c.process().logFile()).isEqualTo("/var/log/a/");
        assertThat(c.process().logRotateBytes()).isEqualTo(1000);
        assertThat(c.process().logRotateDuration()).isEqualTo(java.time.Duration.ofHours(2));
        assertThat(c.process().logRotateMaxFiles()).isEqualTo(-1);

        // A .conf file is not a config file without -config-format, as in Consul.
        Result r = run("agent", "-dev", "-config-file", f.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.lines()).containsExactly("roster agent: " + f + ": not a config file: the name must end in .json or .hcl");
        r = run("agent", "-dev", "-advertise=0.0.0.0");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.lines()).containsExactly("roster agent: Advertise address cannot be 0.0.0.0, :: or [::]");
    }
}
