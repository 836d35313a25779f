/**
 * envconsul on Roster: {@link io.roster.tools.envexec.EnvExec} watches KV prefixes and services with
 * the same blocking-query views as {@code roster template} and runs a child process with their values
 * in its environment, restarting it when they change. Talks to the agent only through roster-api.
 */
package io.roster.tools.envexec;
