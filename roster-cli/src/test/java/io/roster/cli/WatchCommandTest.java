package io.roster.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.roster.api.KvPair;
import io.roster.api.QueryOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code roster watch}: prints once without a handler; with one, fires on the first result and on each change. */
class WatchCommandTest {
    @RegisterExtension
    static final DevAgent AGENT = new DevAgent();
    private static final Duration MAX = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private static List<String> lines(Path p) throws IOException {
        return Files.exists(p) ? Files.readAllLines(p, StandardCharsets.UTF_8) : List.of();
    }

    @Test
    void withoutAHandlerPrintsTheDataOnceAndExits() {
        AGENT.client().kv().put("watched/key", "v".getBytes(StandardCharsets.UTF_8));
        KvPair p = AGENT.client().kv().get("watched/key", QueryOptions.DEFAULT).value().orElseThrow();
        Cli.Result r = Cli.run("watch", "-type=key", "-key=watched/key");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo("{\n"
                + "    \"LockIndex\": 0,\n"
                + "    \"Key\": \"watched/key\",\n"
                + "    \"Flags\": 0,\n"
                + "    \"Value\": \"dg==\",\n"
                + "    \"CreateIndex\": " + p.createIndex() + ",\n"
                + "    \"ModifyIndex\": " + p.modifyIndex() + "\n"
                + "}\n");

        assertThat(Cli.run("watch", "-type=key", "-key=watched/missing").out()).isEqualTo("null\n");
        assertThat(Cli.run("watch", "-type=keyprefix", "-prefix=watched/none/").out()).isEqualTo("null\n");
        assertThat(Cli.run("watch", "-type=services").out()).isEqualTo("{\n    \"consul\": []\n}\n");
        assertThat(Cli.run("watch", "-type=nodes").out()).contains("\"Node\": \"cli-test-node\"");
        assertThat(Cli.run("watch", "-type=checks", "-state=passing").out()).contains("\"CheckID\": \"serfHealth\"");
    }

    @Test
    void aHandlerGetsTheFirstResultAndEveryChangeOnStdin() throws Exception {
        Path out = dir.resolve("events");
        AtomicReference<Thread> thread = new AtomicReference<>();
        CompletableFuture<Integer> watch = CompletableFuture.supplyAsync(() -> {
            thread.set(Thread.currentThread());
            return Cli.execute("watch", "-type=keyprefix", "-prefix=app/", "echo \"$CONSUL_INDEX $(cat)\" >> " + out);
        });
        await().atMost(MAX).until(() -> lines(out).size() == 1);
        assertThat(lines(out).get(0)).endsWith(" null");

        AGENT.client().kv().put("app/db", "a".getBytes(StandardCharsets.UTF_8));
        await().atMost(MAX).until(() -> lines(out).size() == 2);
        long index = AGENT.client().kv().get("app/db", QueryOptions.DEFAULT).value().orElseThrow().modifyIndex();
        assertThat(lines(out).get(1)).isEqualTo(index + " [{\"LockIndex\":0,\"Key\":\"app/db\",\"Flags\":0,\"Value\":\"YQ==\","
                + "\"CreateIndex\":" + index + ",\"ModifyIndex\":" + index + "}]");

        // A write elsewhere does not wake this watch; the same value again changes nothing; a new one fires.
        AGENT.client().kv().put("other/key", "x".getBytes(StandardCharsets.UTF_8));
        AGENT.client().kv().put("app/db", "a".getBytes(StandardCharsets.UTF_8));
        AGENT.client().kv().put("app/cache", "b".getBytes(StandardCharsets.UTF_8));
        await().atMost(MAX).until(() -> lines(out).size() == 3);
        assertThat(lines(out).get(2)).contains("\"Key\":\"app/cache\"");
        assertThat(watch).isNotDone();

        thread.get().interrupt();
        assertThat(watch.get(30, TimeUnit.SECONDS)).isZero();
        assertThat(lines(out)).hasSize(3);
    }

    @Test
    void aServiceWatchSeesInstancesComeAndGo() throws Exception {
        Path out = dir.resolve("web");
        AtomicReference<Thread> thread = new AtomicReference<>();
        CompletableFuture<Integer> watch = CompletableFuture.supplyAsync(() -> {
            thread.set(Thread.currentThread());
            return Cli.execute("watch", "-type=service", "-service=web", "-passingonly=true", "cat >> " + out);
        });
        await().atMost(MAX).until(() -> lines(out).size() == 1);
        assertThat(lines(out).get(0)).isEqualTo("[]");

        AGENT.put("/v1/agent/service/register", "{\"Name\": \"web\", \"Port\": 8080}");
        await().atMost(MAX).until(() -> lines(out).size() == 2);
        assertThat(lines(out).get(1)).contains("\"Service\":\"web\"").contains("\"Port\":8080");

        AGENT.client().agent().serviceDeregister("web");
        await().atMost(MAX).until(() -> lines(out).size() == 3);
        assertThat(lines(out).get(2)).isEqualTo("[]");
        thread.get().interrupt();
        assertThat(watch.get(30, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void aFailingHandlerStopsTheWatch() {
        Cli.Result r = Cli.run("watch", "-type=nodes", "exit 4");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("Error executing handler: exit status 4\n");
    }

    @Test
    void parametersAreChecked() {
        assertThat(Cli.run("watch")).satisfies(r -> {
            assertThat(r.code()).isEqualTo(2);
            assertThat(r.err()).isEqualTo("Watch type must be specified\n");
        });
        assertThat(Cli.run("watch", "-type=key").err()).isEqualTo("Must specify a single key to watch\n");
        assertThat(Cli.run("watch", "-type=keyprefix").err()).isEqualTo("Must specify a single prefix to watch\n");
        assertThat(Cli.run("watch", "-type=service").err()).isEqualTo("Must specify a single service to watch\n");
        assertThat(Cli.run("watch", "-type=checks", "-service=a", "-state=any").err()).isEqualTo("Cannot specify service and state\n");
        assertThat(Cli.run("watch", "-type=bogus").err()).isEqualTo("Unsupported watch type: bogus\n");
    }
}
