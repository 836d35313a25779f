package io.roster.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.roster.api.testing.TestPorts;
import io.roster.tools.ctmpl.Log;
import io.roster.tools.ctmpl.Runner;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class TemplateCommandTest {
    @RegisterExtension
    static final DevAgent AGENT = new DevAgent();

    @TempDir
    Path dir;

    @BeforeAll
    static void catalog() {
        AGENT.register("nyc_web_01", "10.0.1.10", "web1", "web", 8080, "release");
        AGENT.register("nyc_web_02", "10.0.1.11", "web2", "web", 8080, "release");
        AGENT.register("nyc_web_03", "10.0.1.12", "web3", "web", 8080, "canary");
        AGENT.register("db01", "10.0.2.10", "db1", "db", 5432, "release", "db");
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = TemplateCommandTest.class.getResourceAsStream("/golden/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private Path file(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content);
        return p;
    }

    @Test
    void seedsHaproxyTemplateRendersAsConsulTemplateDoes() throws IOException {
        AGENT.kv("service/haproxy/maxconn", "4");
        AGENT.kv("service/haproxy/mode", "default");
        AGENT.kv("service/haproxy/timeouts/client", "50000ms");
        AGENT.kv("service/haproxy/timeouts/connect", "5000ms");
        AGENT.kv("service/haproxy/timeouts/server", "50000ms");
        AGENT.kv("service/haproxy/timeouts/nested/ignored", "ls is top-level only");
        Path in = file("haproxy.ctmpl", resource("haproxy.ctmpl"));
        Path out = dir.resolve("haproxy.cfg");
        Tools.Result r = Tools.run(new TemplateCommand(), "-once", "-template", in + ":" + out);
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(Files.readString(out)).isEqualTo(resource("haproxy.cfg"));
    }

    @Test
    void documentedFunctionsRenderTheirDocumentedShapes() throws IOException {
        AGENT.kv("app/db/url", "postgres://db");
        AGENT.kv("app/db/user", "app");
        AGENT.kv("app/port", "8080");
        AGENT.kv("app/folder/", "");
        Path in = file("services.ctmpl", resource("services.ctmpl"));
        Path out = dir.resolve("services.out");
        Tools.Result r = Tools.run(new TemplateCommand(), "-once", "-template", in + ":" + out);
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(Files.readString(out)).isEqualTo(resource("services.out"));
    }

    /** Renders {@code template} once and returns the file. */
    private String renderOnce(String name, String template) throws IOException {
        Path in = file(name + ".ctmpl", template);
        Path out = dir.resolve(name + ".out");
        Tools.Result r = Tools.run(new TemplateCommand(), "-once", "-template", in + ":" + out);
        assertThat(r.code()).as(r.err()).isZero();
        return Files.readString(out);
    }

    /** consul-template's docs/templating-language.md: each example's template, and the output it documents. */
    @Test
    void consulTemplateDocumentedExamples() throws IOException {
        AGENT.kv("config/admin/port", "1234");
        AGENT.kv("config/maxconns", "5");
        AGENT.kv("config/minconns", "2");
        AGENT.kv("groups/elasticsearch/es1", "1");
        AGENT.kv("groups/elasticsearch/es2", "1");
        AGENT.kv("groups/elasticsearch/es3", "1");
        AGENT.kv("services/elasticsearch/check_elasticsearch", "x");
        assertThat(renderOnce("explode-json", "{{ tree \"config\" | explode | toJSON }}"))
                .isEqualTo("{\"admin\":{\"port\":\"1234\"},\"maxconns\":\"5\",\"minconns\":\"2\"}");
        assertThat(renderOnce("explode-pretty", "{{ tree \"config\" | explode | toJSONPretty }}"))
                .isEqualTo("{\n  \"admin\": {\n    \"port\": \"1234\"\n  },\n  \"maxconns\": \"5\",\n  \"minconns\": \"2\"\n}");
        assertThat(renderOnce("explode-yaml", "{{ tree \"config\" | explode | toYAML }}"))
                .isEqualTo("admin:\n  port: \"1234\"\nmaxconns: \"5\"\nminconns: \"2\"");
        assertThat(renderOnce("bykey", "{{ range $key, $pairs := tree \"groups\" | byKey }}{{ $key }}:\n"
                + "{{ range $pair := $pairs }}  {{ .Key }}={{ .Value }}\n{{ end }}{{ end }}"))
                .isEqualTo("elasticsearch:\n  es1=1\n  es2=1\n  es3=1\n");
        assertThat(renderOnce("loop", "{{ range $i := loop 5 8 }}\nstanza-{{ $i }}{{ end }}"))
                .isEqualTo("\nstanza-5\nstanza-6\nstanza-7");
        assertThat(renderOnce("tree", "{{ range tree \"config\" }}\n{{ .Key }}:{{ .Value }}{{ end }}"))
                .isEqualTo("\nadmin/port:1234\nmaxconns:5\nminconns:2");
        assertThat(renderOnce("service", "{{ range service \"web\" }}\nserver {{ .Name }} {{ .Address }}:{{ .Port }}{{ end }}"))
                .isEqualTo("\nserver web 10.0.1.10:8080\nserver web 10.0.1.11:8080\nserver web 10.0.1.12:8080");
        assertThat(renderOnce("any", "{{ range service \"web|any\" }}{{ .ID }}={{ .Status }} {{ end }}"))
                .isEqualTo("web1=passing web2=passing web3=passing ");
        assertThat(renderOnce("tagged", "{{ range service \"canary.web\" }}{{ .Node }}{{ if .Tags.Contains \"canary\" }} canary{{ end }}{{ end }}"))
                .isEqualTo("nyc_web_03 canary");
    }

    @Test
    void dryPrintsInsteadOfWriting() throws IOException {
        AGENT.kv("greeting", "hello");
        Path in = file("g.ctmpl", "{{key \"greeting\"}} {{env \"TO_WHO\"}}\n");
        AGENT.env.put("TO_WHO", "world");
        Path out = dir.resolve("g.txt");
        Tools.Result r = Tools.run(new TemplateCommand(), "-once", "-dry", "-template", in + ":" + out);
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("> " + out + "\nhello world\n");
        assertThat(out).doesNotExist();
    }

    @Test
    void badTemplateIsOneLineWithLineAndColumn() throws IOException {
        Path in = file("bad.ctmpl", "ok\n  {{ key \"a\" | nosuch }}\n");
        Tools.Result r = Tools.run(new TemplateCommand(), "-once", "-template", in + ":" + dir.resolve("x"));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err().strip()).isEqualTo("template: template: " + in + ":2:16: function \"nosuch\" not defined");
    }

    @Test
    void unreachableAgentIsRetriedWithBackoffThenReported() throws IOException {
        int port = TestPorts.free();
        Path in = file("k.ctmpl", "{{key \"a\"}}");
        Tools.Result r = Tools.run(new TemplateCommand(), "-once", "-consul-addr", "127.0.0.1:" + port, "-retry", "10ms",
                "-consul-retry-attempts", "2", "-template", in + ":" + dir.resolve("k"));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("[WARN] (view) kv.block(a): ").contains("connection refused").contains("(retry attempt 1 after \"10ms\")");
        assertThat(r.err().lines().filter(l -> l.startsWith("template: ")).toList())
                .singleElement().asString().contains("kv.block(a)").contains("gave up after 2 retries");
    }

    @Test
    void configFileTemplateBlocksWithPermsAndDelimiters() throws IOException {
        AGENT.kv("cfg/name", "roster");
        Path in = file("c.tmpl", "name=[[ key \"cfg/name\" ]] {{literal}}\n");
        Path out = dir.resolve("c.out");
        Path cfg = file("c.hcl", "consul {\n  address = \"" + AGENT.address() + "\"\n}\n"
                + "template {\n  source = \"" + in + "\"\n  destination = \"" + out + "\"\n  perms = \"0600\"\n"
                + "  left_delimiter = \"[[\"\n  right_delimiter = \"]]\"\n}\n"
                + "template {\n  contents = \"x\"\n  destination = \"" + dir.resolve("c2.out") + "\"\n}\n");
        AGENT.env.clear();
        Tools.Result r = Tools.run(new TemplateCommand(), "-once", "-config", cfg.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(Files.readString(out)).isEqualTo("name=roster {{literal}}\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out))).isEqualTo("rw-------");
        assertThat(Files.readString(dir.resolve("c2.out"))).isEqualTo("x");
    }

    private Runner runner(List<Runner.Spec> specs, Runner.Wait wait, Runner.Exec exec) {
        return new Runner(new Runner.Options(specs, AGENT.address(), null, false, false, wait,
                Runner.Options.retry(3, Duration.ofMillis(50), Duration.ofSeconds(1)), exec, AGENT.env::get,
                new PrintStream(PrintStream.nullOutputStream()), new Log(System.err, true))); // the runner's lines land in the surefire output: a failure shows what it did
    }

    private static CompletableFuture<Integer> background(Runner r) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return r.run();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void missingKeyBlocksUntilItExistsAndChangesReRenderAndRunTheCommandOnce() throws Exception {
        AGENT.kv("present", "p1");
        Path both = file("both.ctmpl", "{{key \"present\"}} {{key \"late\"}}");
        Path one = file("one.ctmpl", "{{key \"present\"}}");
        Path outBoth = dir.resolve("both.out");
        Path outOne = dir.resolve("one.out");
        Path log = dir.resolve("commands.log");
        Runner r = runner(List.of(
                new Runner.Spec(both.toString(), null, outBoth.toString(), null, null, null, false, null, null, null),
                new Runner.Spec(one.toString(), null, outOne.toString(), "echo ran >> " + log, null, null, false, null, null, null)),
                null, null);
        CompletableFuture<Integer> run = background(r);
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(outOne));
            assertThat(Files.readString(outOne)).isEqualTo("p1");
            assertThat(outBoth).as("a missing key blocks its template").doesNotExist();
            AGENT.kv("late", "l1");
            await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(outBoth));
            assertThat(Files.readString(outBoth)).isEqualTo("p1 l1");
            AGENT.kv("present", "p2");
            await().atMost(Duration.ofSeconds(20)).until(() -> Files.readString(outOne).equals("p2")
                    && Files.exists(log) && Files.readAllLines(log).size() == 2);
            await().atMost(Duration.ofSeconds(20)).until(() -> Files.readString(outBoth).equals("p2 l1"));
            assertThat(Files.readAllLines(log)).containsExactly("ran", "ran");
        } finally {
            r.stop();
            assertThat(run.get(20, TimeUnit.SECONDS)).isZero();
        }
    }

    @Test
    void twoTemplatesWithOneCommandRunItOncePerChange() throws Exception {
        AGENT.kv("shared/v", "1");
        Path a = file("a.ctmpl", "a={{key \"shared/v\"}}");
        Path b = file("b.ctmpl", "b={{key \"shared/v\"}}");
        Path log = dir.resolve("reloads.log");
        String cmd = "echo reload >> " + log;
        Runner r = runner(List.of(
                new Runner.Spec(a.toString(), null, dir.resolve("a.out").toString(), cmd, null, null, false, null, null, null),
                new Runner.Spec(b.toString(), null, dir.resolve("b.out").toString(), cmd, null, null, true, null, null, null)),
                Runner.Wait.parse("50ms:1s"), null);
        CompletableFuture<Integer> run = background(r);
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(log) && Files.readAllLines(log).size() == 1
                    && Files.exists(dir.resolve("b.out")));
            AGENT.kv("shared/v", "2");
            await().atMost(Duration.ofSeconds(20)).until(() -> Files.readString(dir.resolve("a.out")).equals("a=2")
                    && Files.readString(dir.resolve("b.out")).equals("b=2"));
            await().atMost(Duration.ofSeconds(20)).until(() -> Files.readAllLines(log).size() >= 2);
            assertThat(Files.readAllLines(log)).containsExactly("reload", "reload");
            assertThat(Files.readString(dir.resolve("b.out.bak"))).as("backup = true keeps the previous file").isEqualTo("b=1");
        } finally {
            r.stop();
            assertThat(run.get(20, TimeUnit.SECONDS)).isZero();
        }
    }

    @Test
    void execChildGetsTheReloadSignalOnChange() throws Exception {
        AGENT.kv("exec/v", "1");
        Path in = file("e.ctmpl", "{{key \"exec/v\"}}");
        Path out = dir.resolve("e.out");
        Path marks = dir.resolve("marks");
        // The configured reload signal is USR1, not consul-template's default HUP: under nohup (a build
        // started in the background) HUP is ignored on entry to the child's shell, and a shell cannot trap
        // a signal ignored on entry, so a HUP test would fail there for reasons outside the runner.
        String script = "trap 'echo hup >> " + marks + "' USR1; echo start >> " + marks + "; i=0; "
                + "while [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done";
        Runner r = runner(List.of(new Runner.Spec(in.toString(), null, out.toString(), null, null, null, false, null, null, null)),
                null, new Runner.Exec(List.of(script), "SIGUSR1", "SIGTERM", Duration.ofSeconds(5)));
        CompletableFuture<Integer> run = background(r);
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(marks) && Files.readAllLines(marks).contains("start"));
            AGENT.kv("exec/v", "2");
            await().atMost(Duration.ofSeconds(20)).until(() -> Files.readAllLines(marks).contains("hup"));
            assertThat(Files.readString(out)).isEqualTo("2");
            assertThat(Files.readAllLines(marks)).containsExactly("start", "hup");
        } finally {
            r.stop();
            run.get(30, TimeUnit.SECONDS);
        }
    }
}
