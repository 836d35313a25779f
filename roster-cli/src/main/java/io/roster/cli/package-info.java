/**
 * The {@code roster} command: {@code agent} to run an agent, and the client commands a Consul user
 * knows ({@code kv}, {@code catalog}, {@code services}, {@code members}, {@code info}, {@code reload},
 * {@code maint}, {@code lock}, {@code watch}), so that scripts can swap {@code consul} for
 * {@code roster}.
 *
 * <p>One class per noun-verb ({@code KvGetCommand} is {@code roster kv get}), each with a synopsis
 * and an example in its help. Client commands extend {@link io.roster.cli.ClientCommand}: Consul's
 * HTTP flags and environment variables ({@link io.roster.cli.HttpOptions}), Go-style flag parsing
 * (options end at the first argument), Consul's output layouts ({@link io.roster.cli.GoFormat}) and
 * message texts, exit code 1 for errors and 2 for usage mistakes.
 *
 * <p>What this package may not touch: client commands talk to the agent only through
 * {@link io.roster.api.RosterClient}, never through the agent's classes; the one exception is
 * {@code services register}, which reads service definition files with the agent's own
 * configuration loader so that both accept exactly the same files.
 */
package io.roster.cli;
