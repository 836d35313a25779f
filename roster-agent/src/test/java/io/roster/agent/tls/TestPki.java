package io.roster.agent.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A CA and agent certificates written into a directory, as {@code roster tls} writes them. */
final class TestPki {
    final Path dir;
    final Path ca;
    final Path caKey;

    private TestPki(Path dir, String prefix) throws IOException {
        this.dir = dir;
        Certificates.Pair p = Certificates.ca(null, 30, List.of());
        this.ca = write(prefix + "-agent-ca.pem", p.certificatePem());
        this.caKey = write(prefix + "-agent-ca-key.pem", p.keyPem());
    }

    /** A new CA in {@code dir}; {@code prefix} keeps two CAs apart. */
    static TestPki in(Path dir, String prefix) throws IOException {
        return new TestPki(dir, prefix);
    }

    /** A certificate for {@code kind} ({@code server}, {@code client}, {@code cli}) of dc1: [cert, key]. */
    Path[] cert(String kind, String name) throws IOException {
        String cn = kind + ".dc1.consul";
        Certificates.Pair p = Certificates.leaf(ca, caKey, cn, List.of(cn, "localhost"), List.of("127.0.0.1"),
                !kind.equals("cli"), 30);
        return new Path[] {write(name + ".pem", p.certificatePem()), write(name + "-key.pem", p.keyPem())};
    }

    Path write(String name, String text) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        return f;
    }
}
