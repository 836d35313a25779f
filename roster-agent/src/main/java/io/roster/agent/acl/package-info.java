/**
 * The ACL system's agent side: the {@code acl} stanza ({@link io.roster.agent.acl.AclSettings}),
 * Consul's rule language ({@link io.roster.agent.acl.Rules}), what a token may do
 * ({@link io.roster.agent.acl.Authorizer}), resolving a secret into an identity from the replicated
 * tables of this server's store ({@link io.roster.agent.acl.AclResolver}), the writes decided
 * before the log and the leader's duties ({@link io.roster.agent.acl.AclService}: IDs, secrets,
 * times, built-ins, expiry reaping), the agent's own tokens
 * ({@link io.roster.agent.acl.AgentTokens}), and, in a secondary datacenter, the replication of the
 * primary's policies, roles and global tokens ({@link io.roster.agent.acl.AclReplication}, which
 * writes through the same commands a user's write goes through) and the resolution of tokens by
 * the primary when tokens are not replicated ({@link io.roster.agent.acl.AclResolver#resolveThroughPrimary}).
 *
 * <p>The tables themselves are roster-state's ({@code AclTable}); enforcement is one decorator of
 * the route table ({@code http.Decorators.acl}) reading each route's {@code Acl} declaration, and
 * list filtering is one helper ({@code http.AclFilter}). Nothing here reads a clock inside apply,
 * and no secret is ever logged: errors and log lines name tokens by AccessorID.
 */
package io.roster.agent.acl;
