/**
 * Addresses as Consul resolves them: go-sockaddr templates ({@link io.roster.agent.net.SockaddrTemplate})
 * evaluated over the host's interfaces ({@link io.roster.agent.net.Interfaces}), and the bind /
 * advertise / client rules of Consul's config builder ({@link io.roster.agent.net.Addresses}),
 * giving one {@link io.roster.agent.net.Network} per agent start.
 *
 * <p>Owns nothing else: it opens no socket and knows nothing of listeners; {@code AgentConfig}
 * calls it when the configuration is built, and the agent's parts read the result from there.
 */
package io.roster.agent.net;
