/**
 * Randomized fault runs (issue 24): {@link io.roster.it.faults.Cluster} puts three server agents
 * and a client host on network-namespace hosts (prefix {@code fz}) and injects faults (kill -9,
 * SIGTERM restarts, SIGSTOP/SIGCONT, link down, iptables DROP between two servers, a full tmpfs data
 * directory); {@link io.roster.it.faults.Workload} runs KV/CAS, lock, txn-bank and blocking-query
 * clients over real HTTP through {@link io.roster.it.faults.HttpBridge} (a Python process inside the
 * client host) and records their histories; {@link io.roster.it.faults.FaultRun} draws one run from
 * a seed, heals, reads every key and checks the histories with {@code io.roster.it.lin};
 * {@link io.roster.it.faults.FaultRunsTest} runs one (CI) or many ({@code bench/run-faults}).
 *
 * <p>What it may not touch: addresses other than its own hosts', namespaces other than its own
 * ({@code fz<pid>x<n>-*}), mounts other than the tmpfs it mounts under its run's log directory
 * (unmounted on close). See docs/reliability.md.
 */
package io.roster.it.faults;
