package io.roster.cli;

import io.roster.api.QueryOptions;
import io.roster.api.RosterClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/**
 * The flags every client command takes, spelled and resolved as Consul's: where the agent is, the
 * ACL token, the datacenter, stale reads, and TLS for an {@code https://} agent (CA file or
 * directory, client certificate and key, the name to check, {@code CONSUL_HTTP_SSL_VERIFY}; see
 * {@link HttpTls}). A picocli mixin; {@link ClientCommand} carries it.
 *
 * <p>Precedence follows Consul's api package: a flag wins over its environment variable, and a
 * token file (flag, else {@code CONSUL_HTTP_TOKEN_FILE}) wins over a token. {@code ROSTER_HTTP_ADDR}
 * wins over {@code CONSUL_HTTP_ADDR} so that both can be set on a machine running both.
 */
final class HttpOptions {
    /** The default agent address, as Consul's. */
    static final String DEFAULT_ADDRESS = "127.0.0.1:8500";

    /** Reads an environment variable; tests replace it to pin precedence without touching the real environment. */
    static volatile UnaryOperator<String> env = System::getenv;

    @Option(names = {"-h", "-help", "--help"}, usageHelp = true, description = "Show this help.")
    boolean help;

    @ArgGroup(validate = false, heading = "%nHTTP API Options:%n")
    Api api = new Api();

    /** The options themselves, in a group only so that help shows them under their own heading. */
    static final class Api {
        @Option(names = {"-http-addr", "--http-addr"}, paramLabel = "ADDR",
                description = "Address and port of the agent's HTTP API (http:// or https://). "
                        + "Env: ROSTER_HTTP_ADDR, then CONSUL_HTTP_ADDR. Default: " + DEFAULT_ADDRESS + ".")
        String httpAddr;
        @Option(names = {"-token", "--token"}, paramLabel = "TOKEN", description = "ACL token to send. Env: CONSUL_HTTP_TOKEN.")
        String token;
        @Option(names = {"-token-file", "--token-file"}, paramLabel = "FILE",
                description = "File holding the ACL token; wins over -token, as in Consul. Env: CONSUL_HTTP_TOKEN_FILE.")
        String tokenFile;
        @Option(names = {"-datacenter", "--datacenter"}, paramLabel = "DC",
                description = "Datacenter to query (default: the agent's).")
        String datacenter;
        @Option(names = {"-stale", "--stale"}, description = "Let any server answer reads (no effect on writes).")
        boolean stale;
        @Option(names = {"-ca-file", "--ca-file"}, paramLabel = "FILE",
                description = "PEM CA file to check the agent's certificate with. Env: CONSUL_CACERT.")
        String caFile;
        @Option(names = {"-ca-path", "--ca-path"}, paramLabel = "DIR",
                description = "Directory of PEM CA files. Env: CONSUL_CAPATH.")
        String caPath;
        @Option(names = {"-client-cert", "--client-cert"}, paramLabel = "FILE",
                description = "PEM client certificate (agents with verify_incoming ask for one). Env: CONSUL_CLIENT_CERT.")
        String clientCert;
        @Option(names = {"-client-key", "--client-key"}, paramLabel = "FILE",
                description = "PEM key of -client-cert. Env: CONSUL_CLIENT_KEY.")
        String clientKey;
        @Option(names = {"-tls-server-name", "--tls-server-name"}, paramLabel = "NAME",
                description = "Name the agent's certificate must carry, instead of the address's host. Env: CONSUL_TLS_SERVER_NAME.")
        String tlsServerName;
    }

    /** The agent's address with a scheme: the flag, else the environment, else 127.0.0.1:8500. */
    String address() {
        String a = firstNonEmpty(api.httpAddr, env.apply("ROSTER_HTTP_ADDR"), env.apply("CONSUL_HTTP_ADDR"), DEFAULT_ADDRESS);
        if (a.startsWith("unix://")) {
            throw new ClientCommand.SetupException("unix sockets are not supported by Roster: " + a);
        }
        if (!a.contains("://")) {
            String ssl = env.apply("CONSUL_HTTP_SSL");
            boolean https = ssl != null && (ssl.equals("1") || ssl.toLowerCase(Locale.ROOT).startsWith("t"));
            a = (https ? "https://" : "http://") + a;
        }
        return a;
    }

    /** The token to send, or null: the token file's content if there is one and it is not blank, else the token. */
    String token() {
        String file = firstNonEmpty(api.tokenFile, env.apply("CONSUL_HTTP_TOKEN_FILE"));
        if (file != null) {
            try {
                String t = Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
                if (!t.isEmpty()) {
                    return t;
                }
            } catch (IOException e) {
                throw new ClientCommand.SetupException("Error loading token file: " + e.getMessage());
            }
        }
        return firstNonEmpty(api.token, env.apply("CONSUL_HTTP_TOKEN"));
    }

    RosterClient client() {
        String a = address();
        return RosterClient.create(a, token(), a.startsWith("https://") ? tls() : null);
    }

    /** The TLS context the flags and {@code CONSUL_*} variables describe (flags win). */
    javax.net.ssl.SSLContext tls() {
        String verify = env.apply("CONSUL_HTTP_SSL_VERIFY");
        boolean check = verify == null || verify.isEmpty() || !(verify.equals("0") || verify.toLowerCase(Locale.ROOT).startsWith("f"));
        return HttpTls.context(firstNonEmpty(api.caFile, env.apply("CONSUL_CACERT")),
                firstNonEmpty(api.caPath, env.apply("CONSUL_CAPATH")),
                firstNonEmpty(api.clientCert, env.apply("CONSUL_CLIENT_CERT")),
                firstNonEmpty(api.clientKey, env.apply("CONSUL_CLIENT_KEY")),
                firstNonEmpty(api.tlsServerName, env.apply("CONSUL_TLS_SERVER_NAME")), check);
    }

    /** The read options these flags ask for: {@code dc} and {@code stale}. */
    QueryOptions queryOptions() {
        QueryOptions q = QueryOptions.DEFAULT;
        if (api.datacenter != null && !api.datacenter.isEmpty()) {
            q = q.withDatacenter(api.datacenter);
        }
        return api.stale ? q.withStale() : q;
    }

    /** Query parameters for a write: {@code dc} when one was asked for. */
    Map<String, String> writeParams() {
        Map<String, String> p = new LinkedHashMap<>();
        if (api.datacenter != null && !api.datacenter.isEmpty()) {
            p.put("dc", api.datacenter);
        }
        return p;
    }

    private static String firstNonEmpty(String... values) {
        for (String v : values) {
            if (v != null && !v.isEmpty()) {
                return v;
            }
        }
        return null;
    }
}
