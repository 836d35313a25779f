/**
 * TLS for the agent's listeners and connections (issue 19): the HTTPS API ({@code ports.https})
 * and the server port (Raft between servers, the server RPC of client agents).
 *
 * <p>Theory of operation. {@link io.roster.agent.tls.TlsSettings} is what the configuration says
 * once Consul's rules are applied ({@code tls.defaults} under {@code tls.https},
 * {@code tls.internal_rpc}, {@code tls.grpc}; the older top-level keys standing in for unset
 * ones); {@code ConfigLoader} asks it to {@code check} every file at start, so a bad path, a file
 * that is not PEM or a key that does not match its certificate stops the agent with one line
 * naming the file. {@link io.roster.agent.tls.TlsContext} holds one interface's material behind a
 * key manager and a trust manager that stay the same objects for the life of the agent: Jetty's
 * HTTPS connector, Ratis' gRPC server and clients, and the client agents' RPC channels are built
 * once over them, and a reload ({@code SIGHUP}, {@code /v1/agent/reload}) only swaps what they
 * delegate to, so new handshakes use renewed files and nothing restarts. Trust follows Consul:
 * chains must lead to the configured CA, and names are checked only as
 * {@code verify_server_hostname} asks ({@code server.<dc>.<domain>}), never against an IP address.
 *
 * <p>{@link io.roster.agent.tls.Pem} reads and writes PEM (Bouncy Castle for the key formats the
 * JDK does not read); {@link io.roster.agent.tls.Certificates} makes CAs and agent certificates
 * as {@code consul tls} does, for {@code roster tls} and for tests.
 *
 * <p>This package opens no sockets and keeps no files open; it never logs key material.
 */
package io.roster.agent.tls;
