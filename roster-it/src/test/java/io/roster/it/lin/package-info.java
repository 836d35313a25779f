/**
 * A linearizability checker for the histories the fault runs record ({@code io.roster.it.faults}):
 * {@link io.roster.it.lin.History} records each client's operations with invoke/ok/fail/info on one
 * logical clock, {@link io.roster.it.lin.Checker} runs Wing-Gong-Lowe search (as Porcupine and
 * Knossos do) on each independent partition of a history (P-compositionality: per key), and the
 * models are the sequential specifications of what Roster offers: {@link io.roster.it.lin.KvModel}
 * (a register per key with check-and-set), {@link io.roster.it.lin.LockModel} (Consul's
 * acquire/release with LockIndex), {@link io.roster.it.lin.BankModel} (transfers by txn).
 *
 * <p>What it may not touch: nothing outside the test JVM; it talks to no server. Written for this
 * project (no code taken from Porcupine or Knossos). See docs/reliability.md.
 */
package io.roster.it.lin;
