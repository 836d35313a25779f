/**
 * The server RPC: how client agents reach servers, on the server port only (Consul's 8300), never
 * a server's HTTP or DNS address. A gRPC service ({@link io.roster.agent.rpc.RpcProtocol},
 * versioned binary envelopes, no protoc) served inside Ratis' gRPC server beside Raft
 * ({@link io.roster.agent.rpc.RpcService}; a dev agent serves it on its own
 * {@link io.roster.agent.rpc.RpcServer}), and the client side with bounded connections, threads,
 * failover and backoff ({@link io.roster.agent.rpc.RpcClient}). With {@code tls.internal_rpc}
 * verification on, the channels use TLS over the agent's {@code tls.TlsContext} (its certificate,
 * Consul's trust rules), as Ratis' server on the same port does; a dev agent's own RPC server
 * stays plaintext.
 *
 * <p>This package owns the transport only: what a forwarded request means is decided by the
 * server's own route table (dispatched into directly through {@code http.LocalExchange}, no HTTP encoding) and DNS resolver;
 * which servers exist comes from gossip ({@code client.ServerList}). It holds no state of the
 * catalog and must not read the store.
 */
package io.roster.agent.rpc;
