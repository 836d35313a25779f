/**
 * Load drivers and benchmarks. Each entry point prints figures and asserts nothing about timings;
 * every loop and wait is bounded in count and time; every process it starts is stopped at the end.
 *
 * <ul>
 *   <li>{@link io.roster.bench.Main}: the foundation figures on a dev agent ({@code bench/run}) and on
 *       3 servers ({@code bench/run --cluster});</li>
 *   <li>{@link io.roster.bench.ChecksBench}: 10,000 health checks on one agent ({@code bench/run-checks});</li>
 *   <li>{@link io.roster.bench.DnsBench}: DNS next to NSD or Knot ({@code bench/run-dns});</li>
 *   <li>{@link io.roster.bench.SideBySide}: Roster, etcd and ZooKeeper as 3-member clusters under the
 *       same load generator ({@link io.roster.bench.LoadGen}), one {@link io.roster.bench.SideSystem}
 *       per system, with {@link io.roster.bench.Procs} owning every process it starts
 *       ({@code bench/run-side-by-side}).</li>
 * </ul>
 *
 * Where a figure is about a running agent or server, Roster is started as its own JVM from the built
 * CLI ({@link io.roster.bench.AgentProcess}) and driven over its HTTP API, so its memory and CPU are
 * measured apart from the driver's; only {@code ChecksBench} runs the agent's check runners in-process.
 * Benchmarks may not be called from tests, and tests may not depend on this module.
 */
package io.roster.bench;
