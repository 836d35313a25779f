package io.roster.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.roster.tools.ctmpl.Log;
import io.roster.tools.ctmpl.View;
import io.roster.tools.envexec.EnvExec;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class EnvexecCommandTest {
    @RegisterExtension
    static final DevAgent AGENT = new DevAgent();

    @TempDir
    Path dir;

    @Test
    void seedsExamplePrefixOnceEnv() throws Exception {
        AGENT.kv("redis/config/ADDRESS", "1.2.3.4");
        AGENT.kv("redis/config/PORT", "55");
        Path out = dir.resolve("env.txt");
        Tools.Result r = Tools.run(new EnvexecCommand(), "-prefix", "redis/config", "-once", "sh", "-c", "env > " + out);
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(Files.readAllLines(out)).contains("ADDRESS=1.2.3.4", "PORT=55");
        assertThat(Files.readAllLines(out)).as("not pristine: the parent's environment is passed on")
                .anyMatch(l -> l.startsWith("PATH="));
    }

    @Test
    void pristineSanitizeUpcaseServicesAndLaterPrefixesWin() throws Exception {
        AGENT.kv("common/log-level", "info");
        AGENT.kv("common/region", "eu");
        AGENT.kv("app/log-level", "debug");
        AGENT.register("db-node", "10.0.3.1", "db-1", "db", 5432, "primary");
        Path out = dir.resolve("env.txt");
        Tools.Result r = Tools.run(new EnvexecCommand(), "-pristine", "-sanitize", "-upcase", "-prefix", "common", "-prefix", "app",
                "-service", "db", "-once", "/bin/sh", "-c", "env > " + out);
        assertThat(r.code()).as(r.err()).isZero();
        List<String> lines = Files.readAllLines(out);
        assertThat(lines).contains("LOG_LEVEL=debug", "REGION=eu", "DB_ID=db-1", "DB_NAME=db", "DB_ADDRESS=", "DB_TAG=primary",
                "DB_PORT=5432");
        assertThat(lines).noneMatch(l -> l.startsWith("HOME=") || l.startsWith("CONSUL_HTTP_ADDR="));
    }

    @Test
    void exitCodeOfTheChildIsEnvexecs() {
        AGENT.kv("x/A", "1");
        Tools.Result r = Tools.run(new EnvexecCommand(), "-prefix", "x", "-once", "sh", "-c", "exit 7");
        assertThat(r.code()).isEqualTo(7);
    }

    @Test
    void childIsRestartedWithTheNewValueWhenAKeyChanges() throws Exception {
        AGENT.kv("live/V", "one");
        Path out = dir.resolve("starts.txt");
        String script = "echo \"$V\" >> " + out + "; i=0; while [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done";
        EnvExec e = new EnvExec(new EnvExec.Options(List.of("live"), List.of(), List.of(script), AGENT.address(), null, false,
                false, false, false, "SIGTERM", Duration.ofSeconds(5), new View.Retry(3, Duration.ofMillis(50), Duration.ofSeconds(1)),
                Map.of("PATH", System.getenv("PATH")), new Log(new PrintStream(PrintStream.nullOutputStream()), false)));
        CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> {
            try {
                return e.run();
            } catch (Exception ex) {
                throw new IllegalStateException(ex);
            }
        });
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(out) && Files.readAllLines(out).contains("one"));
            AGENT.kv("live/V", "two");
            await().atMost(Duration.ofSeconds(20)).until(() -> Files.readAllLines(out).contains("two"));
            assertThat(Files.readAllLines(out)).containsExactly("one", "two");
        } finally {
            e.stop();
            assertThat(run.get(30, TimeUnit.SECONDS)).isZero();
        }
    }

    @Test
    void noCommandIsAOneLineError() {
        Tools.Result r = Tools.run(new EnvexecCommand(), "-prefix", "x");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err().strip()).isEqualTo("envexec: no command given: roster envexec [options] COMMAND [ARGS...]");
    }
}
