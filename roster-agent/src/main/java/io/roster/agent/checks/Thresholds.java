package io.roster.agent.checks;

/**
 * Consul's {@code StatusHandler}: {@code SuccessBeforePassing}, {@code FailuresBeforeWarning} and
 * {@code FailuresBeforeCritical}, counted over consecutive results. Passing and warning results count
 * as successes; a critical result is a failure. A failure streak shows warning once it reaches
 * {@code failuresBeforeWarning} and critical once it reaches {@code failuresBeforeCritical}; a
 * success streak shows its result once it reaches {@code successBeforePassing}. Until a threshold is
 * reached the check keeps its previous status. As in Consul, the counters start at their thresholds,
 * so the first result after start is shown at once. Applies to HTTP, TCP, UDP, gRPC and script
 * checks; not to TTL or alias checks.
 */
final class Thresholds {
    private final int successBeforePassing;
    private final int failuresBeforeWarning;
    private final int failuresBeforeCritical;
    private long successes;
    private long failures;

    /** {@code failuresBeforeWarning} 0 means "same as {@code failuresBeforeCritical}", as in Consul. */
    Thresholds(int successBeforePassing, int failuresBeforeWarning, int failuresBeforeCritical) {
        this.successBeforePassing = successBeforePassing;
        this.failuresBeforeCritical = failuresBeforeCritical;
        this.failuresBeforeWarning = failuresBeforeWarning == 0 ? failuresBeforeCritical : failuresBeforeWarning;
        this.successes = successBeforePassing;
        this.failures = failuresBeforeCritical;
    }

    /** The result to show for this run, or null to keep the current status. */
    synchronized Result apply(Result r) {
        if (!CheckStatus.CRITICAL.equals(r.status())) {
            successes++;
            failures = 0;
            return successes >= successBeforePassing ? r : null;
        }
        failures++;
        successes = 0;
        if (failures >= failuresBeforeCritical) {
            return r;
        }
        if (failures >= failuresBeforeWarning) {
            return new Result(CheckStatus.WARNING, r.output());
        }
        return null;
    }
}
