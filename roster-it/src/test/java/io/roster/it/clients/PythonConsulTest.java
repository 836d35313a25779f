package io.roster.it.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.roster.testkit.RosterExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * python-consul (Debian's {@code python3-consul} 0.7.1, the library Patroni's Consul DCS is built
 * on) run as a real subprocess against Roster: KV, CAS, sessions created with Patroni's lower-case
 * body, acquire, the leader watch ({@code ?index=&wait=9.87s}), Consul's 500 messages that
 * Patroni matches by prefix, TTL expiry, Patroni's service registration with an HTTP check, and
 * python-consul's prepared-query and coordinate calls.
 * Each check is one function of {@code clients/python_consul_checks.py}, run in its own process.
 *
 * <p>Needs {@code /usr/bin/python3} with the {@code consul} module (the {@code python3} on PATH
 * may be another interpreter without it). Without it the suite is skipped on a developer's
 * machine and fails when {@code CI=true}.
 */
class PythonConsulTest {
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final List<String> CHECKS = List.of("kv", "cas", "session_patroni_body", "acquire_and_watch",
            "invalid_session", "invalid_session_ttl", "session_ttl_expiry", "register_service",
            "blocking_index_semantics", "agent_catalog_health", "prepared_queries_and_coordinates");

    @RegisterExtension
    static final RosterExtension ROSTER = RosterExtension.dev().nodeName("it-node").withoutDns(); // the node python_consul_checks.py expects

    private static Path script;

    @BeforeAll
    static void requirePythonConsul() throws Exception {
        script = Path.of(PythonConsulTest.class.getResource("/clients/python_consul_checks.py").toURI());
        String missing = null;
        if (!Files.isExecutable(PYTHON)) {
            missing = PYTHON + " is missing";
        } else {
            Run probe = run(List.of(PYTHON.toString(), "-c", "import consul"), 30);
            if (probe.exit != 0) {
                missing = PYTHON + " has no consul module: " + probe.output.strip();
            }
        }
        if (missing != null) {
            if ("true".equals(System.getenv("CI"))) {
                fail(missing + " (CI=true: install the Debian package python3-consul)");
            }
            assumeTrue(false, missing + "; install the Debian package python3-consul to run this suite");
        }
    }

    private record Run(int exit, String output) {
    }

    private static Run run(List<String> cmd, int timeoutSeconds) throws IOException, InterruptedException {
        Path out = Files.createTempFile("python-consul", ".log");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                return new Run(-1, "timed out after " + timeoutSeconds + "s\n" + Files.readString(out, StandardCharsets.UTF_8));
            }
            return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static Run check(String name) throws IOException, InterruptedException {
        return run(List.of(PYTHON.toString(), script.toString(), Integer.toString(ROSTER.httpPort()), name), 60);
    }

    @Test
    void everyCheckInTheScriptRunsHere() throws Exception {
        Run list = check("list");
        assertThat(list.exit).as(list.output).isZero();
        assertThat(list.output.strip().lines()).containsExactlyElementsOf(CHECKS);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"kv", "cas", "session_patroni_body", "acquire_and_watch", "invalid_session",
        "invalid_session_ttl", "session_ttl_expiry", "register_service", "blocking_index_semantics",
        "agent_catalog_health", "prepared_queries_and_coordinates"})
    void pythonConsul(String name) throws Exception {
        Run r = check(name);
        assertThat(r.exit).as("python-consul check %s:%n%s", name, r.output).isZero();
        assertThat(r.output).contains("ok " + name);
    }
}
