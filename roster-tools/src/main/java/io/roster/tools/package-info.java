/**
 * The tools that run beside an agent, as {@code roster} subcommands registered in roster-cli's
 * {@code Main}: {@code template} (consul-template), {@code envexec} (envconsul) and
 * {@code shard-proxy} (the dynamic-sharding proxy in front of Pushgateways). Each command class only
 * turns flags and config files into options for its engine, and maps the outcome to an exit code.
 */
package io.roster.tools;
