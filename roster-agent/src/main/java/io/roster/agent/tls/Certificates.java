package io.roster.agent.tls;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.GeneralSubtree;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.NameConstraints;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates as {@code consul tls} makes them ({@code roster tls} and tests use this): ECDSA P-256 keys (written as {@code EC PRIVATE KEY},
 * mode 0600), SHA-256 signatures, a CA with {@code keyCertSign}, agent certificates for server
 * and client authentication (the CLI's for client authentication only), random 128-bit serials,
 * and validity starting a minute ago (clocks drift).
 */
public final class Certificates {
    private Certificates() {
    }

    /** A certificate and its key, as PEM text. */
    public record Pair(String certificatePem, String keyPem) {
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    /** A self-signed CA valid for {@code days}; with {@code permittedDns}, limited to those names (and 127.0.0.0/8). */
    public static Pair ca(String commonName, int days, List<String> permittedDns) {
        KeyPair kp = newKey();
        BigInteger serial = serial();
        X500Name subject = name(commonName != null ? commonName : "Roster Agent CA " + serial);
        Instant now = Instant.now();
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, serial, Date.from(now.minus(Duration.ofMinutes(1))),
                    Date.from(now.plus(Duration.ofDays(days))), subject, kp.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(kp.getPublic()));
            b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(kp.getPublic()));
            if (!permittedDns.isEmpty()) {
                List<GeneralSubtree> trees = new ArrayList<>();
                for (String d : permittedDns) {
                    trees.add(new GeneralSubtree(new GeneralName(GeneralName.dNSName, d)));
                }
                trees.add(new GeneralSubtree(new GeneralName(GeneralName.iPAddress, new org.bouncycastle.asn1.DEROctetString(new byte[] {127, 0, 0, 0, (byte) 255, 0, 0, 0}))));
                b.addExtension(Extension.nameConstraints, true, new NameConstraints(trees.toArray(new GeneralSubtree[0]), null));
            }
            X509Certificate cert = sign(b, kp.getPrivate());
            return new Pair(Pem.encode(cert), Pem.encodePrivateKey(kp));
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot create the CA: " + e.getMessage(), e);
        }
    }

    /** A certificate for {@code commonName} with these names, signed by the CA in {@code caCert}/{@code caKey}. */
    public static Pair leaf(Path caCert, Path caKey, String commonName, List<String> dns, List<String> ips, boolean serverAuth, int days) {
        X509Certificate ca = Pem.certificates(caCert).get(0);
        PrivateKey caPriv = Pem.privateKey(caKey);
        if (!Pem.matches(caPriv, ca)) {
            throw new IllegalArgumentException(caKey + ": the CA key does not match " + caCert);
        }
        KeyPair kp = newKey();
        Instant now = Instant.now();
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(ca, serial(), Date.from(now.minus(Duration.ofMinutes(1))),
                    Date.from(now.plus(Duration.ofDays(days))), name(commonName), kp.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            b.addExtension(Extension.extendedKeyUsage, false, serverAuth
                    ? new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth})
                    : new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(kp.getPublic()));
            b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(ca));
            List<GeneralName> names = new ArrayList<>();
            dns.forEach(d -> names.add(new GeneralName(GeneralName.dNSName, d)));
            for (String ip : ips) {
                if (!ip.matches("[0-9a-fA-F:.]+")) {
                    throw new IllegalArgumentException("invalid IP address '" + ip + "'");
                }
                names.add(new GeneralName(GeneralName.iPAddress, ip));
            }
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(new GeneralName[0])));
            X509Certificate cert = sign(b, caPriv);
            return new Pair(Pem.encode(cert), Pem.encodePrivateKey(kp));
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot create the certificate: " + e.getMessage(), e);
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key) throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder(
                    key.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA").build(key)));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e.getMessage(), e);
        }
    }

    private static X500Name name(String cn) {
        return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, cn).build();
    }

    private static BigInteger serial() {
        return new BigInteger(128, RANDOM).setBit(0);
    }

    private static KeyPair newKey() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot make an EC key: " + e.getMessage(), e);
        }
    }
}
