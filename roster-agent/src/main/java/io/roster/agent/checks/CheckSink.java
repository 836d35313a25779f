package io.roster.agent.checks;

/**
 * Where check runners report results: the agent's local state. Called only when a check's status or
 * output differs from what this runner last reported, and from any thread (a runner's virtual
 * thread, the scheduler, or the caller of {@link CheckRunners#ttlUpdate}). Calls for one check are
 * never concurrent and arrive in the order the results were decided. The sink may call back into
 * {@link CheckRunners}; it should not block for long.
 */
@FunctionalInterface
public interface CheckSink {
    void update(String checkId, String status, String output);
}
