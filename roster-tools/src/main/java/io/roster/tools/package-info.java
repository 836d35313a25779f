/**
 * The tools that run beside an agent, as {@code roster} subcommands registered in roster-cli's
 * {@code Main}: {@code template} (consul-template), {@code envexec} (envconsul) and
 * {@code shard-proxy} (the dynamic-sharding proxy in front of Pushgateways). Each command class only
 * turns flags and config files into options for its engine, and maps the outcome to an exit code.
 * <p>The tools reach an agent only through roster-api's public client and wire types, as Consul's
 * tools do over HTTP: they may not depend on the agent, the state store or the server modules.
 */
package io.roster.tools;
