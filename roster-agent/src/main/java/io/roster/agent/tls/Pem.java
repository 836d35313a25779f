package io.roster.agent.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * PEM files as Consul and OpenSSL write them: certificates ({@code CERTIFICATE}, several in one
 * file for a chain or a CA bundle) and private keys in any of the three usual forms
 * ({@code EC PRIVATE KEY} as {@code consul tls} writes it, {@code RSA PRIVATE KEY}, and PKCS#8
 * {@code PRIVATE KEY}). Every failure is an {@link IllegalArgumentException} whose one-line message
 * names the file.
 */
public final class Pem {
    private Pem() {
    }

    /** The certificates in {@code file}, in order; at least one. */
    public static List<X509Certificate> certificates(Path file) {
        byte[] bytes = read(file);
        List<X509Certificate> out = new ArrayList<>();
        try (InputStream in = new java.io.ByteArrayInputStream(bytes)) {
            CertificateFactory f = CertificateFactory.getInstance("X.509");
            for (var c : f.generateCertificates(in)) {
                out.add((X509Certificate) c);
            }
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException(file + ": not a PEM certificate file (" + oneLine(e) + ")");
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(file + ": no certificate in file");
        }
        return out;
    }

    /** The private key in {@code file} (unencrypted). */
    public static PrivateKey privateKey(Path file) {
        byte[] bytes = read(file);
        try (Reader r = new java.io.InputStreamReader(new java.io.ByteArrayInputStream(bytes), StandardCharsets.US_ASCII);
             PEMParser p = new PEMParser(r)) {
            JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
            for (int i = 0; i < 16; i++) {
                Object o = p.readObject();
                if (o == null) {
                    break;
                }
                if (o instanceof PEMKeyPair kp) {
                    // An EC key may come without its public half (the JDK writes it so); only the private one is needed.
                    return conv.getPrivateKey(kp.getPrivateKeyInfo());
                }
                if (o instanceof PrivateKeyInfo info) {
                    return conv.getPrivateKey(info);
                }
                if (o instanceof PEMEncryptedKeyPair || o instanceof PKCS8EncryptedPrivateKeyInfo) {
                    throw new IllegalArgumentException(file + ": the private key is encrypted; Roster needs it unencrypted");
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": not a PEM private key file (" + oneLine(e) + ")");
        }
        throw new IllegalArgumentException(file + ": no private key in file");
    }

    /** Whether {@code key} is the private half of {@code cert}'s public key (a signature made with one verifies with the other). */
    public static boolean matches(PrivateKey key, X509Certificate cert) {
        PublicKey pub = cert.getPublicKey();
        if (!key.getAlgorithm().equals(pub.getAlgorithm())
                && !(key.getAlgorithm().startsWith("EC") && pub.getAlgorithm().startsWith("EC"))) {
            return false;
        }
        String alg = switch (pub.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC", "ECDSA" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            case "Ed448" -> "Ed448";
            default -> null;
        };
        if (alg == null) {
            return false;
        }
        try {
            byte[] challenge = "roster key check".getBytes(StandardCharsets.US_ASCII);
            Signature s = Signature.getInstance(alg);
            s.initSign(key);
            s.update(challenge);
            byte[] sig = s.sign();
            Signature v = Signature.getInstance(alg);
            v.initVerify(pub);
            v.update(challenge);
            return v.verify(sig);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** PEM text of {@code objects} (certificates, keys), as OpenSSL writes them. */
    public static String encode(Object... objects) {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
            for (Object o : objects) {
                pw.writeObject(o);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return w.toString();
    }

    /**
     * An EC key pair's private key as {@code EC PRIVATE KEY} (SEC 1, with the curve and the public
     * key, as Go and OpenSSL write it); other keys as PKCS#8 {@code PRIVATE KEY}.
     */
    public static String encodePrivateKey(java.security.KeyPair kp) {
        if (kp.getPrivate() instanceof java.security.interfaces.ECPrivateKey ec) {
            org.bouncycastle.asn1.x509.SubjectPublicKeyInfo spki =
                    org.bouncycastle.asn1.x509.SubjectPublicKeyInfo.getInstance(kp.getPublic().getEncoded());
            org.bouncycastle.asn1.sec.ECPrivateKey sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(
                    ec.getParams().getOrder().bitLength(), ec.getS(), spki.getPublicKeyData(),
                    spki.getAlgorithm().getParameters());
            try {
                return encode(new org.bouncycastle.util.io.pem.PemObject("EC PRIVATE KEY", sec1.getEncoded()));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return encode(kp.getPrivate());
    }

    private static byte[] read(Path file) {
        try {
            if (Files.isDirectory(file)) {
                throw new IllegalArgumentException(file + ": is a directory, not a PEM file");
            }
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": no such file");
        } catch (AccessDeniedException e) {
            throw new IllegalArgumentException(file + ": permission denied");
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read: " + oneLine(e));
        }
    }

    static String oneLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    }
}
