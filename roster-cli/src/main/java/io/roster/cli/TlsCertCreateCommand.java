package io.roster.cli;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code roster tls cert create}: a key and a certificate signed by the CA, named as Consul names
 * them ({@code dc1-server-consul-0.pem}, {@code dc1-server-consul-0-key.pem}, the index rising past
 * files already there), with Consul's names in it: {@code server.<dc>.<domain>} (or {@code client.},
 * {@code cli.}), {@code localhost} and {@code 127.0.0.1}, plus the additional ones asked for.
 */
@Command(name = "create", modelTransformer = ClientCommand.GoFlags.class, sortOptions = false,
        customSynopsis = "roster tls cert create [-server|-client|-cli] [options]",
        description = {"Create a certificate for a server, a client agent or the CLI, signed by the CA, in the current directory."},
        footer = {"", "Example:", "  roster tls cert create -server -dc dc1 -additional-ipaddress 10.0.0.5",
                "                          writes dc1-server-consul-0.pem and dc1-server-consul-0-key.pem"})
final class TlsCertCreateCommand implements Callable<Integer> {
    @Option(names = {"-h", "-help", "--help"}, usageHelp = true, description = "Show this help.")
    boolean help;
    @Option(names = {"-server", "--server"}, arity = "0..1", fallbackValue = "true", description = "A server certificate.")
    boolean server;
    @Option(names = {"-client", "--client"}, arity = "0..1", fallbackValue = "true", description = "A client agent certificate.")
    boolean client;
    @Option(names = {"-cli", "--cli"}, arity = "0..1", fallbackValue = "true", description = "A certificate for the CLI.")
    boolean cli;
    @Option(names = {"-dc", "--dc"}, paramLabel = "DC", description = "Datacenter. Default: dc1.")
    String dc = "dc1";
    @Option(names = {"-domain", "--domain"}, paramLabel = "DOMAIN", description = "Domain. Default: consul.")
    String domain = "consul";
    @Option(names = {"-days", "--days"}, paramLabel = "N", description = "Days the certificate is valid. Default: 365.")
    int days = 365;
    @Option(names = {"-ca", "--ca"}, paramLabel = "FILE", description = "The CA certificate. Default: <domain>-agent-ca.pem.")
    String caFile;
    @Option(names = {"-key", "--key"}, paramLabel = "FILE", description = "The CA key. Default: <domain>-agent-ca-key.pem.")
    String caKey;
    @Option(names = {"-node", "--node"}, paramLabel = "NAME", description = "With -server: also <node>.server.<dc>.<domain>.")
    String node;
    @Option(names = {"-additional-dnsname", "--additional-dnsname"}, paramLabel = "NAME",
            description = "Another DNS name for the certificate; may repeat.")
    List<String> dnsNames = new ArrayList<>();
    @Option(names = {"-additional-ipaddress", "--additional-ipaddress"}, paramLabel = "IP",
            description = "Another IP address for the certificate; may repeat.")
    List<String> ipAddresses = new ArrayList<>();

    @Override
    public Integer call() {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
        int kinds = (server ? 1 : 0) + (client ? 1 : 0) + (cli ? 1 : 0);
        if (kinds != 1) {
            err.println(kinds == 0 ? "Please provide either -server, -client, or -cli"
                    : "Please provide only one of -server, -client, or -cli");
            return 1;
        }
        if (node != null && !server) {
            err.println("-node requires -server");
            return 1;
        }
        if (days < 1) {
            err.println("-days must be at least 1");
            return 1;
        }
        String dom = TlsCertificates.trimDot(domain);
        String kind = server ? "server" : client ? "client" : "cli";
        Path caCert = TlsCertificates.dir.resolve(caFile != null ? caFile : dom + "-agent-ca.pem");
        Path caPriv = TlsCertificates.dir.resolve(caKey != null ? caKey : dom + "-agent-ca-key.pem");
        for (Path p : List.of(caCert, caPriv)) {
            if (!Files.exists(p)) {
                err.println(p.getFileName() + " file missing");
                return 1;
            }
        }
        String name = kind + "." + dc + "." + dom;
        Set<String> dns = new LinkedHashSet<>();
        dns.add(name);
        if (node != null) {
            dns.add(node + "." + name);
        }
        dns.add("localhost");
        dns.addAll(dnsNames);
        Set<String> ips = new LinkedHashSet<>();
        ips.add("127.0.0.1");
        ips.addAll(ipAddresses);
        Path cert = null;
        Path key = null;
        for (int i = 0; i < 10_000; i++) {
            Path c = TlsCertificates.dir.resolve(dc + "-" + kind + "-" + dom + "-" + i + ".pem");
            Path k = TlsCertificates.dir.resolve(dc + "-" + kind + "-" + dom + "-" + i + "-key.pem");
            if (!Files.exists(c) && !Files.exists(k)) {
                cert = c;
                key = k;
                break;
            }
        }
        if (cert == null) {
            err.println("too many certificates in this directory");
            return 1;
        }
        try {
            io.roster.agent.tls.Certificates.Pair pair = io.roster.agent.tls.Certificates.leaf(caCert, caPriv, name, List.copyOf(dns), List.copyOf(ips),
                    !cli, days);
            if (server) {
                out.println("==> WARNING: Server Certificates grants authority to become a");
                out.println("    server and access all state in the cluster including root keys");
                out.println("    and all ACL tokens. Do not distribute them to production hosts");
                out.println("    that are not server nodes. Store them as securely as CA keys.");
            }
            out.println("==> Using " + caCert.getFileName() + " and " + caPriv.getFileName());
            TlsCertificates.write(cert, pair.certificatePem(), false);
            out.println("==> Saved " + cert.getFileName());
            TlsCertificates.write(key, pair.keyPem(), true);
            out.println("==> Saved " + key.getFileName());
        } catch (RuntimeException e) {
            err.println("Error: " + Main.oneLine(e.getMessage()));
            return 1;
        }
        return 0;
    }
}
