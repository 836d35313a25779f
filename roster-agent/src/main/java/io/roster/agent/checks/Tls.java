package io.roster.agent.checks;

import io.roster.agent.tls.ChainTrustManager;
import java.security.GeneralSecurityException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/** TLS contexts for checks: the JDK default, one checking a {@code TLSServerName}, and the one {@code TLSSkipVerify} asks for. */
final class Tls {
    private Tls() {
    }

    static SSLContext verifying() {
        try {
            return SSLContext.getDefault();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no default TLS context", e);
        }
    }

    /**
     * {@code base} for connections whose certificate must name {@code serverName} rather than the
     * URL's host (Consul's {@code TLSServerName}): its engines are made for that peer host, so the
     * JDK's host-name check (endpoint identification {@code HTTPS}) and the SNI it sends for a URL
     * that is an IP address use the name. The JDK HTTP client sends the URL's host as SNI when that
     * host is a name; the certificate is still checked against {@code serverName} then (the JDK
     * falls back from a non-matching SNI name to the peer host).
     */
    static SSLContext withServerName(SSLContext base, String serverName) {
        return new Named(base, serverName);
    }

    private static final class Named extends SSLContext {
        Named(SSLContext base, String serverName) {
            super(new NamedSpi(base, serverName), base.getProvider(), base.getProtocol());
        }
    }

    private static final class NamedSpi extends SSLContextSpi {
        private final SSLContext base;
        private final String serverName;

        NamedSpi(SSLContext base, String serverName) {
            this.base = base;
            this.serverName = serverName;
        }

        @Override
        protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom sr) {
            throw new UnsupportedOperationException("already initialized");
        }

        @Override
        protected SSLSocketFactory engineGetSocketFactory() {
            return base.getSocketFactory();
        }

        @Override
        protected SSLServerSocketFactory engineGetServerSocketFactory() {
            return base.getServerSocketFactory();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine() {
            return base.createSSLEngine();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine(String host, int port) {
            return base.createSSLEngine(serverName, port);
        }

        @Override
        protected SSLSessionContext engineGetServerSessionContext() {
            return base.getServerSessionContext();
        }

        @Override
        protected SSLSessionContext engineGetClientSessionContext() {
            return base.getClientSessionContext();
        }

        @Override
        protected SSLParameters engineGetDefaultSSLParameters() {
            return base.getDefaultSSLParameters();
        }

        @Override
        protected SSLParameters engineGetSupportedSSLParameters() {
            return base.getSupportedSSLParameters();
        }
    }

    /**
     * Accepts any certificate and any host name. An {@link X509ExtendedTrustManager} is used because
     * the JDK checks the host name inside the trust manager: this one skips both, as Go's
     * {@code InsecureSkipVerify} does.
     */
    static SSLContext insecure() {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {new TrustAll()}, new SecureRandom());
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build an insecure TLS context", e);
        }
    }

    private static final class TrustAll extends ChainTrustManager {
        @Override
        protected void checkClient(X509Certificate[] chain, String authType) {
        }

        @Override
        protected void checkServer(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
