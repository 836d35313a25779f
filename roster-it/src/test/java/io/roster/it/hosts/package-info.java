/**
 * Test hosts as Linux network namespaces, for what a deployment spreads over machines (DESIGN.md,
 * "Testing like production"): {@link io.roster.it.hosts.NetHosts} makes them (one namespace per host,
 * its own address on 10.10.10.0/24, all on a bridge that lives in a namespace of its own) and tears
 * them down; {@link io.roster.it.hosts.Host} runs commands ({@code curl}, {@code dig}) and agent
 * processes inside one and cuts or slows its link; {@link io.roster.it.hosts.NetHostsExtension} gives
 * tests a fixture and skips them where namespaces cannot be made; {@link io.roster.it.hosts.Agents}
 * holds the Consul HTTP/DNS calls the multi-host tests make from inside a host.
 *
 * <p>What it may not touch: the root namespace's interfaces, addresses and routes (nothing is
 * created there), and any address that is not one of its hosts (no namespace has a default route;
 * agents get no recursors). It removes only namespaces of its own naming scheme
 * ({@code rn-nh<pid>x<n>-*}) and, of those, only ones whose JVM is gone or that it made itself.
 * See docs/testing.md.
 */
package io.roster.it.hosts;
