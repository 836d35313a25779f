/**
 * consul-template on Roster: the template functions ({@link io.roster.tools.ctmpl.CtFuncs}) over
 * fetched data, the dependencies they read ({@link io.roster.tools.ctmpl.Dependency}: KV, health,
 * catalog, local files), one blocking-query {@link io.roster.tools.ctmpl.View} per dependency with
 * retry and backoff, and the {@link io.roster.tools.ctmpl.Runner} that renders, writes atomically,
 * runs commands once per quiet period and supervises an {@code exec} child.
 *
 * <p>Talks to the agent only through roster-api's {@code RosterClient}; knows nothing of the
 * agent's internals. The template language itself is {@code io.roster.tools.template}.
 */
package io.roster.tools.ctmpl;
