package io.roster.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.api.QueryOptions;
import io.roster.api.RosterClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The README's first command, run as a user runs it: {@code bin/roster agent -dev} as a real
 * process, then HTTP against it, then SIGTERM. Also the CLI's answer to bad flags.
 */
class DevAgentProcessTest {
    private static final Path HOME = Path.of(System.getProperty("user.dir")).getParent();
    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        started.forEach(Process::destroyForcibly);
    }

    private Process roster(Path out, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(HOME.resolve("bin/roster").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        started.add(p);
        return p;
    }

    @Test
    void devAgentServesKvAndStopsCleanlyOnSigterm() throws Exception {
        int port = Ports.free();
        Path log = Files.createTempFile("roster-it", ".log");
        long t0 = System.nanoTime();
        Process p = roster(log, "agent", "-dev", "-http-port=" + port, "-node", "it-node");
        RosterClient client = RosterClient.create("127.0.0.1:" + port);
        String leader = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (leader == null && System.nanoTime() < deadline && p.isAlive()) {
            try {
                leader = client.status().leader();
            } catch (RuntimeException notYet) {
                Thread.onSpinWait();
            }
        }
        System.out.printf("dev agent process answered after %d ms%n", (System.nanoTime() - t0) / 1_000_000);
        assertThat(leader).as("agent log: %s", Files.readString(log)).matches("127\\.0\\.0\\.1:\\d+"); // 8300, or another port when 8300 is taken here

        assertThat(client.kv().put("it/hello", "world".getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(client.kv().get("it/hello", QueryOptions.DEFAULT).value()).get()
                .extracting(e -> e.valueAsString()).isEqualTo("world");
        assertThat(client.getJson("/v1/agent/self").at("/Config/NodeName").asText()).isEqualTo("it-node");

        String logText = Files.readString(log);
        assertThat(logText).contains("http://127.0.0.1:" + port).contains("node=it-node");
        assertThat(logText.lines().filter(l -> l.contains("started")).count()).isEqualTo(1);

        long s0 = System.nanoTime();
        p.destroy(); // SIGTERM
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("agent exits after SIGTERM").isTrue();
        System.out.printf("dev agent stopped %d ms after SIGTERM%n", (System.nanoTime() - s0) / 1_000_000);
        assertThat(Files.readString(log)).contains("Roster agent stopped").doesNotContain("Exception");
    }

    @Test
    void unknownFlagIsAUsageErrorOnOneLine() throws Exception {
        Path out = Files.createTempFile("roster-it", ".out");
        Process p = roster(out, "agent", "-dev", "-no-such-flag");
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(2);
        List<String> lines = Files.readAllLines(out).stream().filter(l -> !l.isBlank()).toList();
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).contains("-no-such-flag");
    }

    @Test
    void badPortValueIsAUsageError() throws Exception {
        Path out = Files.createTempFile("roster-it", ".out");
        Process p = roster(out, "agent", "-dev", "-http-port=eighty");
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(Files.readString(out)).contains("-http-port").doesNotContain("\tat ");
    }

    @Test
    void aClientAgentWithoutADataDirSaysSoAndFails() throws Exception {
        Path out = Files.createTempFile("roster-it", ".out");
        Process p = roster(out, "agent", "-node", "lonely");
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(1);
        assertThat(Files.readString(out).strip()).isEqualTo("roster agent: Must specify data directory using -data-dir");
    }

    @Test
    void versionPrintsBothVersions() throws Exception {
        Path out = Files.createTempFile("roster-it", ".out");
        Process p = roster(out, "version");
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        assertThat(Files.readString(out)).contains("Roster v").contains("Consul API compatibility");
    }
}
