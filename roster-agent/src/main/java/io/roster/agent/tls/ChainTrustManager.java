package io.roster.agent.tls;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * A trust manager that decides on the chain alone: the JDK's six {@code check*Trusted} overloads
 * (plain, with a socket, with an engine) all come down to {@link #checkClient} or
 * {@link #checkServer}. Extending {@link X509ExtendedTrustManager} (not the plain interface) keeps
 * the JDK from adding its own host-name check on top: host names are each subclass's business
 * ({@code verify_server_hostname}, {@code TLSServerName}, {@code CONSUL_TLS_SERVER_NAME}).
 */
public abstract class ChainTrustManager extends X509ExtendedTrustManager {

    /** Checks a client's chain; throws to refuse it. */
    protected abstract void checkClient(X509Certificate[] chain, String authType) throws CertificateException;

    /** Checks a server's chain; throws to refuse it. */
    protected abstract void checkServer(X509Certificate[] chain, String authType) throws CertificateException;

    @Override
    public final void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        checkClient(chain, authType);
    }

    @Override
    public final void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        checkClient(chain, authType);
    }

    @Override
    public final void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        checkClient(chain, authType);
    }

    @Override
    public final void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        checkServer(chain, authType);
    }

    @Override
    public final void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        checkServer(chain, authType);
    }

    @Override
    public final void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        checkServer(chain, authType);
    }
}
