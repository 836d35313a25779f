package io.roster.cli;

import io.roster.agent.tls.ChainTrustManager;
import io.roster.agent.tls.Pem;
import io.roster.agent.tls.TlsContext;
import io.roster.agent.tls.TlsSettings;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The CLI's side of HTTPS, as Consul's api package does it: trust the CA file or directory given
 * (else the system's roots), present a client certificate when one is given (agents with
 * {@code verify_incoming} ask for it), check the agent's name against the address, or against
 * {@code -tls-server-name} when given, and skip every check with {@code CONSUL_HTTP_SSL_VERIFY=false}.
 */
final class HttpTls {
    private HttpTls() {
    }

    /**
     * The TLS context for these settings.
     *
     * @throws ClientCommand.SetupException one line naming the file at fault
     */
    static SSLContext context(String caFile, String caPath, String certFile, String keyFile, String serverName, boolean verify) {
        try {
            KeyManager[] keys = null;
            if (certFile != null || keyFile != null) {
                if (certFile == null || keyFile == null) {
                    throw new ClientCommand.SetupException("a client certificate needs both -client-cert and -client-key");
                }
                keys = keys(Path.of(certFile), Path.of(keyFile));
            }
            X509ExtendedTrustManager pkix = null;
            if (caFile != null || caPath != null) {
                pkix = TlsContext.pkix(TlsContext.trustStore(new TlsSettings.Side(caFile, caPath, null, null, false, false, false,
                        "TLSv1.2", List.of())));
            }
            TrustManager[] trust;
            if (!verify) {
                trust = new TrustManager[] {new Checked(null, null)};
            } else if (serverName != null) {
                trust = new TrustManager[] {new Checked(pkix != null ? pkix : systemTrust(), serverName)};
            } else {
                // The JDK's own checks, the address's host name included.
                trust = pkix == null ? null : new TrustManager[] {pkix};
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(keys, trust, null);
            return ctx;
        } catch (IllegalArgumentException e) {
            throw new ClientCommand.SetupException(e.getMessage());
        } catch (GeneralSecurityException e) {
            throw new ClientCommand.SetupException("cannot set up TLS: " + e.getMessage());
        }
    }

    private static KeyManager[] keys(Path cert, Path key) throws GeneralSecurityException {
        List<X509Certificate> chain = Pem.certificates(cert);
        PrivateKey pk = Pem.privateKey(key);
        if (!Pem.matches(pk, chain.get(0))) {
            throw new IllegalArgumentException(key + ": private key does not match the certificate in " + cert);
        }
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("client", pk, new char[0], chain.toArray(new X509Certificate[0]));
            KeyManagerFactory f = KeyManagerFactory.getInstance("PKIX");
            f.init(ks, new char[0]);
            return f.getKeyManagers();
        } catch (java.io.IOException e) {
            throw new GeneralSecurityException(e.getMessage(), e);
        }
    }

    private static X509ExtendedTrustManager systemTrust() throws GeneralSecurityException {
        javax.net.ssl.TrustManagerFactory f = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
        f.init((KeyStore) null);
        for (TrustManager t : f.getTrustManagers()) {
            if (t instanceof X509ExtendedTrustManager x) {
                return x;
            }
        }
        throw new GeneralSecurityException("no system trust manager");
    }

    /**
     * The chain against {@code pkix} (none: nothing is checked) and the agent's certificate against
     * {@code serverName} instead of the address (null: no name check).
     */
    private static final class Checked extends ChainTrustManager {
        private final X509ExtendedTrustManager pkix;
        private final String serverName;

        Checked(X509ExtendedTrustManager pkix, String serverName) {
            this.pkix = pkix;
            this.serverName = serverName;
        }

        @Override
        protected void checkServer(X509Certificate[] chain, String authType) throws CertificateException {
            if (pkix == null) {
                return;
            }
            pkix.checkServerTrusted(chain, authType);
            if (serverName != null && !TlsContext.names(chain[0], serverName)) {
                throw new CertificateException("the agent's certificate is not valid for " + serverName);
            }
        }

        @Override
        protected void checkClient(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("not a server");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return pkix == null ? new X509Certificate[0] : pkix.getAcceptedIssuers();
        }
    }
}
