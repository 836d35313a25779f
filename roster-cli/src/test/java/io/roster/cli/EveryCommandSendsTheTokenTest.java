package io.roster.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.roster.testkit.Ports;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Every command that talks to an agent sends the ACL token from each of the four places Consul's
 * CLI takes it: {@code -token}, {@code -token-file}, {@code CONSUL_HTTP_TOKEN},
 * {@code CONSUL_HTTP_TOKEN_FILE}. The test walks picocli's command tree, so a new command without
 * an entry in {@link #ARGS} (or {@link #OFFLINE}, for commands that never call an agent) fails it.
 * Each command is run with two of the four sources, rotating, so that each source meets every
 * other command's neighbour and the run stays short.
 *
 * <p>The far end is a plain HTTP listener that records the {@code X-Consul-Token} of each request
 * and answers {@code 403 Permission denied}, Consul's answer to a token it refuses: what is under
 * test is what the command sends, which an agent cannot report back (it never logs tokens), and
 * the 403 makes every command, watch and lock included, stop after its first request.
 */
class EveryCommandSendsTheTokenTest {
    /** Arguments that take each command as far as its first request. */
    static final Map<String, List<String>> ARGS = new LinkedHashMap<>();
    /** Commands that never talk to an agent. */
    static final Set<String> OFFLINE = Set.of("roster agent", "roster keygen", "roster version", "roster tls ca create",
            "roster tls cert create", "roster snapshot inspect");
    static final String UUID = "6a1253a9-8f0e-4f0c-9b3c-2f1d0e5a7b11";

    static {
        a("acl bootstrap");
        a("acl token create", "-policy-name", "p");
        a("acl token list");
        a("acl token read", "-accessor-id", UUID);
        a("acl token update", "-accessor-id", UUID, "-description", "d");
        a("acl token clone", "-accessor-id", UUID);
        a("acl token delete", "-accessor-id", UUID);
        a("acl policy create", "-name", "p", "-rules", "key_prefix \"\" { policy = \"read\" }");
        a("acl policy list");
        a("acl policy read", "-name", "p");
        a("acl policy update", "-name", "p", "-description", "d");
        a("acl policy delete", "-name", "p");
        a("acl role create", "-name", "r", "-policy-name", "p");
        a("acl role list");
        a("acl role read", "-name", "r");
        a("acl role update", "-id", UUID, "-description", "d");
        a("acl role delete", "-name", "r");
        a("acl set-agent-token", "agent", UUID);
        a("kv get", "k");
        a("kv history", "k");
        a("kv put", "k", "v");
        a("kv delete", "k");
        a("kv export", "");
        a("kv import", "[{\"key\":\"k\",\"flags\":0,\"value\":\"dg==\"}]");
        a("catalog datacenters");
        a("catalog nodes");
        a("catalog services");
        a("services register", "-name", "web");
        a("services deregister", "-id", "web");
        a("members");
        a("info");
        a("reload");
        a("leave");
        a("join", "127.0.0.1:1");
        a("force-leave", "node-x");
        a("event", "-name", "deploy");
        a("keyring", "-list");
        a("maint", "-enable");
        a("lock", "locks/x", "true");
        a("watch", "-type=key", "-key=k");
        a("snapshot save", "SNAPSHOT_OUT");
        a("snapshot restore", "SNAPSHOT_IN");
        a("operator raft list-peers");
        a("operator raft remove-peer", "-address=127.0.0.1:1");
        a("rtt", "node-x");
    }

    private static void a(String name, String... args) {
        ARGS.put("roster " + name, List.of(args));
    }

    static HttpServer server;
    static final List<String> seen = new CopyOnWriteArrayList<>();

    @TempDir
    Path dir;

    @BeforeAll
    static void listen() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", Ports.free()), 16);
        server.createContext("/", ex -> {
            String t = ex.getRequestHeaders().getFirst("X-Consul-Token");
            seen.add(ex.getRequestMethod() + " " + ex.getRequestURI().getPath() + " token=" + t);
            ex.getRequestBody().readAllBytes();
            byte[] body = "Permission denied".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(403, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
    }

    @AfterAll
    static void stop() {
        server.stop(0);
    }

    @AfterEach
    void restore() {
        HttpOptions.env = System::getenv;
    }

    private static List<CommandLine> leaves(CommandLine cl) {
        List<CommandLine> out = new ArrayList<>();
        for (CommandLine sub : cl.getSubcommands().values()) {
            if (sub.getCommandName().equals("help")) {
                continue;
            }
            if (sub.getSubcommands().isEmpty()) {
                out.add(sub);
            }
            out.addAll(leaves(sub));
        }
        return out;
    }

    @Test
    void everyCommandIsCovered() {
        List<String> missing = new ArrayList<>();
        for (CommandLine c : leaves(Main.commandLine())) {
            String name = c.getCommandSpec().qualifiedName();
            boolean tool = c.getCommand().getClass().getPackageName().equals("io.roster.tools");
            if (!tool && !ARGS.containsKey(name) && !OFFLINE.contains(name)) {
                missing.add(name);
            }
            if (ARGS.containsKey(name)) {
                assertThat((Object) c.getCommand()).as(name + " takes its token from HttpOptions").isInstanceOf(ClientCommand.class);
            }
        }
        assertThat(missing).as("commands with no entry in ARGS or OFFLINE").isEmpty();
    }

    @Test
    void everyClientCommandSendsTheTokenFromEachSource() throws IOException {
        Path in = dir.resolve("in.snap");
        Files.write(in, new byte[] {1, 2, 3});
        List<String> failures = new ArrayList<>();
        List<String> sources = List.of("-token", "-token-file", "CONSUL_HTTP_TOKEN", "CONSUL_HTTP_TOKEN_FILE");
        int i = 0;
        for (Map.Entry<String, List<String>> e : ARGS.entrySet()) {
            // Two of the four sources per command, rotating: every source is tried on a quarter of
            // the commands each way, and every command with a flag and with a variable or file.
            for (String source : List.of(sources.get(i % 4), sources.get((i + 1) % 4))) {
                String token = "tok-" + source.toLowerCase(java.util.Locale.ROOT) + "-" + e.getKey().replace(' ', '-');
                Map<String, String> env = new HashMap<>();
                env.put("ROSTER_HTTP_ADDR", "127.0.0.1:" + server.getAddress().getPort());
                List<String> args = new ArrayList<>(List.of(e.getKey().substring("roster ".length()).split(" ")));
                Path file = dir.resolve(token);
                switch (source) {
                    case "-token" -> args.addAll(List.of("-token", token));
                    case "-token-file" -> {
                        Files.writeString(file, token + "\n");
                        args.addAll(List.of("-token-file", file.toString()));
                    }
                    case "CONSUL_HTTP_TOKEN" -> env.put("CONSUL_HTTP_TOKEN", token);
                    default -> {
                        Files.writeString(file, token + "\n");
                        env.put("CONSUL_HTTP_TOKEN_FILE", file.toString());
                    }
                }
                for (String arg : e.getValue()) {
                    args.add(arg.replace("SNAPSHOT_OUT", dir.resolve("out.snap").toString()).replace("SNAPSHOT_IN", in.toString()));
                }
                HttpOptions.env = env::get;
                seen.clear();
                Cli.Result r = Cli.run(args.toArray(String[]::new));
                if (seen.isEmpty()) {
                    failures.add(e.getKey() + " via " + source + ": no request reached the agent\n" + r);
                } else if (!seen.stream().allMatch(s -> s.endsWith(" token=" + token))) {
                    failures.add(e.getKey() + " via " + source + ": " + seen);
                }
                assertThat(r.err()).as(e.getKey()).doesNotContain(token);
            }
            i++;
        }
        assertThat(failures).isEmpty();
    }
}
