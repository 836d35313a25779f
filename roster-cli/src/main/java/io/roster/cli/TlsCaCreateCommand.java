package io.roster.cli;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code roster tls ca create}: a new CA key (ECDSA P-256) and self-signed certificate in the
 * current directory, named as Consul names them: {@code <domain>-agent-ca.pem} and
 * {@code <domain>-agent-ca-key.pem}. An existing file is never overwritten.
 */
@Command(name = "create", modelTransformer = ClientCommand.GoFlags.class, sortOptions = false,
        customSynopsis = "roster tls ca create [options]",
        description = {"Create a new certificate authority in the current directory: <domain>-agent-ca.pem and "
                + "<domain>-agent-ca-key.pem."},
        footer = {"", "Example:", "  roster tls ca create              writes consul-agent-ca.pem and consul-agent-ca-key.pem"})
final class TlsCaCreateCommand implements Callable<Integer> {
    @Option(names = {"-h", "-help", "--help"}, usageHelp = true, description = "Show this help.")
    boolean help;
    @Option(names = {"-days", "--days"}, paramLabel = "N", description = "Days the CA is valid. Default: 1825.")
    int days = 1825;
    @Option(names = {"-domain", "--domain"}, paramLabel = "DOMAIN", description = "The agents' domain. Default: consul.")
    String domain = "consul";
    @Option(names = {"-name-constraint", "--name-constraint"}, arity = "0..1", fallbackValue = "true",
            description = "Limit the CA to localhost and the domain (and -additional-name-constraint names).")
    boolean nameConstraint;
    @Option(names = {"-additional-name-constraint", "--additional-name-constraint"}, paramLabel = "NAME",
            description = "Another permitted DNS name with -name-constraint; may repeat.")
    List<String> constraints = new ArrayList<>();
    @Option(names = {"-common-name", "--common-name"}, paramLabel = "NAME", description = "The CA's common name.")
    String commonName;

    @Override
    public Integer call() {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
        if (days < 1) {
            err.println("-days must be at least 1");
            return 1;
        }
        String dom = TlsCertificates.trimDot(domain);
        Path cert = TlsCertificates.dir.resolve(dom + "-agent-ca.pem");
        Path key = TlsCertificates.dir.resolve(dom + "-agent-ca-key.pem");
        for (Path p : List.of(cert, key)) {
            if (java.nio.file.Files.exists(p)) {
                err.println(p.getFileName() + " already exists.");
                return 1;
            }
        }
        List<String> permitted = new ArrayList<>();
        if (nameConstraint) {
            permitted.add(dom);
            permitted.add("localhost");
            permitted.addAll(constraints);
        }
        try {
            io.roster.agent.tls.Certificates.Pair ca = io.roster.agent.tls.Certificates.ca(commonName, days, permitted);
            TlsCertificates.write(cert, ca.certificatePem(), false);
            out.println("==> Saved " + cert.getFileName());
            TlsCertificates.write(key, ca.keyPem(), true);
            out.println("==> Saved " + key.getFileName());
        } catch (RuntimeException e) {
            err.println("Error: " + Main.oneLine(e.getMessage()));
            return 1;
        }
        return 0;
    }
}
