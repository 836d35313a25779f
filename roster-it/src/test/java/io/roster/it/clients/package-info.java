/**
 * Real third-party Consul clients, used unchanged against Roster: Ecwid's {@code consul-api},
 * kiwiproject's {@code consul-client} and its caches, a Spring Cloud Consul application, and
 * python-consul in a subprocess (Patroni's usage), and real Patroni 3.0 managing PostgreSQL 15
 * ({@code PatroniFailoverTest}, which starts its own dev agent with DNS and, for comparison, etcd).
 * The other suites start one in-process dev agent
 * (the testkit's {@link io.roster.testkit.RosterExtension}) and drive it only through the client under test;
 * raw HTTP appears only where a test must show exactly what goes on the wire.
 *
 * <p>When a client trips over Roster, the fix goes into Roster (never a workaround here), with a
 * regression test in {@code roster-agent}'s {@code ThirdPartyClientRegressionTest} that names the
 * client behaviour, so the fast suite guards it without the client. {@code docs/compatibility.md}
 * lists which suite covers which endpoint.
 */
package io.roster.it.clients;
