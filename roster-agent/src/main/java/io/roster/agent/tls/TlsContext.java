package io.roster.agent.tls;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509KeyManager;
import javax.net.ssl.X509TrustManager;

/**
 * The key and trust material of one interface (HTTPS, internal RPC), read from its PEM files,
 * behind a key manager and a trust manager that {@link #reload} can point at new files while
 * listeners and channels keep them: a handshake after a reload uses the new certificate, one
 * before it is not disturbed.
 *
 * <p>Trust follows Consul, not the JDK's HTTPS rules: a peer's chain must lead to one of the
 * configured CAs, and a server's name is checked only when {@code verify_server_hostname} asks
 * for {@code server.<datacenter>.<domain>} (servers are reached by IP address, which Consul's
 * certificates do not name). With {@code verify_outgoing} off, a server's certificate is not
 * checked at all, as in Consul.
 */
public final class TlsContext {
    private final Keys keys = new Keys();
    private final Trust trust = new Trust();

    private TlsContext() {
    }

    /**
     * Reads {@code side}'s files.
     *
     * @param serverName the name a server's certificate must carry ({@code server.dc1.consul}) when
     *                   {@code verify_server_hostname} is on; ignored otherwise
     * @throws IllegalArgumentException one line naming the file at fault
     */
    public static TlsContext load(TlsSettings.Side side, String serverName) {
        TlsContext c = new TlsContext();
        c.reload(side, serverName);
        return c;
    }

    /** Reads the files again (renewed certificates); on failure throws and keeps the material it had. */
    public void reload(TlsSettings.Side side, String serverName) {
        X509ExtendedKeyManager km = side.hasCertificate() ? keyManager(side) : null;
        X509ExtendedTrustManager pkix = side.hasCa() ? pkix(trustStore(side)) : null;
        if (side.verifyIncoming() && pkix == null) {
            throw new IllegalArgumentException("verify_incoming is set but no ca_file or ca_path is configured");
        }
        if (side.verifyOutgoing() && pkix == null) {
            throw new IllegalArgumentException("verify_outgoing is set but no ca_file or ca_path is configured");
        }
        keys.delegate = km;
        trust.set(pkix, side.verifyOutgoing(), side.verifyServerHostname() ? serverName : null);
    }

    /** Checks every file {@code side} names, as {@link #load} would read them. */
    public static void check(TlsSettings.Side side) {
        if (side.certFile() != null && side.keyFile() == null) {
            throw new IllegalArgumentException("cert_file " + side.certFile() + " is set without a key_file");
        }
        if (side.keyFile() != null && side.certFile() == null) {
            throw new IllegalArgumentException("key_file " + side.keyFile() + " is set without a cert_file");
        }
        load(side, "server.dc1.consul");
    }

    public X509ExtendedKeyManager keyManager() {
        return keys;
    }

    public X509ExtendedTrustManager trustManager() {
        return trust;
    }

    /** Whether a certificate is loaded to present. */
    public boolean hasCertificate() {
        return keys.delegate != null;
    }

    /** A TLS context over this material (it follows reloads). */
    public SSLContext sslContext() {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(new javax.net.ssl.KeyManager[] {keys}, new javax.net.ssl.TrustManager[] {trust}, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot create a TLS context: " + e.getMessage(), e);
        }
    }

    private static X509ExtendedKeyManager keyManager(TlsSettings.Side side) {
        Path certFile = Path.of(side.certFile());
        Path keyFile = Path.of(side.keyFile());
        List<X509Certificate> chain = Pem.certificates(certFile);
        PrivateKey key = Pem.privateKey(keyFile);
        if (!Pem.matches(key, chain.get(0))) {
            throw new IllegalArgumentException(keyFile + ": private key does not match the certificate in " + certFile);
        }
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("roster", key, new char[0], chain.toArray(new X509Certificate[0]));
            KeyManagerFactory f = KeyManagerFactory.getInstance("PKIX");
            f.init(ks, new char[0]);
            for (var m : f.getKeyManagers()) {
                if (m instanceof X509ExtendedKeyManager x) {
                    return x;
                }
            }
            throw new IllegalStateException("no X.509 key manager");
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException(keyFile + ": cannot use the key: " + Pem.oneLine(e));
        }
    }

    /** The CA certificates of {@code ca_file} and of every file in {@code ca_path}. */
    public static KeyStore trustStore(TlsSettings.Side side) {
        List<X509Certificate> cas = new ArrayList<>();
        if (side.caFile() != null) {
            cas.addAll(Pem.certificates(Path.of(side.caFile())));
        }
        if (side.caPath() != null) {
            Path dir = Path.of(side.caPath());
            if (!Files.isDirectory(dir)) {
                throw new IllegalArgumentException(dir + ": ca_path is not a directory");
            }
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                    cas.addAll(Pem.certificates(f));
                }
            } catch (IOException e) {
                throw new IllegalArgumentException(dir + ": cannot list ca_path: " + Pem.oneLine(e));
            }
        }
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            for (int i = 0; i < cas.size(); i++) {
                ks.setCertificateEntry("ca" + i, cas.get(i));
            }
            return ks;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot hold the CA certificates: " + e.getMessage(), e);
        }
    }

    /** The JDK's PKIX chain check against {@code cas}. */
    public static X509ExtendedTrustManager pkix(KeyStore cas) {
        try {
            TrustManagerFactory f = TrustManagerFactory.getInstance("PKIX");
            f.init(cas);
            for (var m : f.getTrustManagers()) {
                if (m instanceof X509ExtendedTrustManager x) {
                    return x;
                }
            }
            throw new IllegalStateException("no X.509 trust manager");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot check certificates: " + e.getMessage(), e);
        }
    }

    /**
     * Whether {@code cert} names {@code host}: a DNS name (a leading {@code *.} matches one label),
     * an IP address, or, without DNS names, the subject's common name.
     */
    public static boolean names(X509Certificate cert, String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        boolean anyDns = false;
        try {
            Collection<List<?>> sans = cert.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    int type = (Integer) san.get(0);
                    String v = String.valueOf(san.get(1)).toLowerCase(Locale.ROOT);
                    if (type == 2) {
                        anyDns = true;
                        if (v.equals(h) || v.startsWith("*.") && h.indexOf('.') > 0 && h.substring(h.indexOf('.')).equals(v.substring(1))) {
                            return true;
                        }
                    } else if (type == 7 && sameIp(v, h)) {
                        return true;
                    }
                }
            }
        } catch (CertificateParsingException e) {
            return false;
        }
        if (!anyDns) {
            String dn = cert.getSubjectX500Principal().getName();
            for (String part : dn.split(",")) {
                if (part.strip().toLowerCase(Locale.ROOT).equals("cn=" + h)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean sameIp(String san, String host) {
        if (!host.matches("[0-9a-f:.\\[\\]]+")) {
            return false;
        }
        try {
            String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
            return java.net.InetAddress.getByName(san).equals(java.net.InetAddress.getByName(bare));
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    /** Follows reloads; with no certificate loaded it offers none. */
    private static final class Keys extends X509ExtendedKeyManager {
        volatile X509ExtendedKeyManager delegate;

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            X509KeyManager d = delegate;
            return d == null ? null : d.getClientAliases(keyType, issuers);
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            X509KeyManager d = delegate;
            return d == null ? null : d.chooseClientAlias(keyType, issuers, socket);
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            X509KeyManager d = delegate;
            return d == null ? null : d.getServerAliases(keyType, issuers);
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            X509KeyManager d = delegate;
            return d == null ? null : d.chooseServerAlias(keyType, issuers, socket);
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            X509KeyManager d = delegate;
            return d == null ? null : d.getCertificateChain(alias);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            X509KeyManager d = delegate;
            return d == null ? null : d.getPrivateKey(alias);
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            X509ExtendedKeyManager d = delegate;
            return d == null ? null : d.chooseEngineClientAlias(keyType, issuers, engine);
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            X509ExtendedKeyManager d = delegate;
            return d == null ? null : d.chooseEngineServerAlias(keyType, issuers, engine);
        }
    }

    /** Consul's rules over the JDK's chain check; follows reloads. */
    private static final class Trust extends ChainTrustManager {
        private record State(X509ExtendedTrustManager pkix, boolean verifyServers, String serverName) {
        }

        private volatile State state = new State(null, false, null);

        void set(X509ExtendedTrustManager pkix, boolean verifyServers, String serverName) {
            state = new State(pkix, verifyServers, serverName);
        }

        @Override
        protected void checkClient(X509Certificate[] chain, String authType) throws CertificateException {
            State s = state;
            if (s.pkix() == null) {
                throw new CertificateException("no CA configured to check client certificates");
            }
            s.pkix().checkClientTrusted(chain, authType);
        }

        @Override
        protected void checkServer(X509Certificate[] chain, String authType) throws CertificateException {
            State s = state;
            if (!s.verifyServers()) {
                return; // verify_outgoing off: Consul does not check the server either
            }
            s.pkix().checkServerTrusted(chain, authType); // the chain only: servers are reached by address
            if (s.serverName() != null && !names(chain[0], s.serverName())) {
                throw new CertificateException("the server's certificate is not valid for " + s.serverName());
            }
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            State s = state;
            return s.pkix() == null ? new X509Certificate[0] : s.pkix().getAcceptedIssuers();
        }
    }
}
