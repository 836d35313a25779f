package io.roster.agent.checks;

/**
 * The health statuses of a check, spelled as Consul's API spells them ({@code api.HealthPassing} and
 * friends).
 */
public final class CheckStatus {
    public static final String PASSING = "passing";
    public static final String WARNING = "warning";
    public static final String CRITICAL = "critical";
    /**
     * Only a filter value in Consul's API ({@code api.HealthMaint}): maintenance-mode checks are stored
     * as {@link #CRITICAL}, so this is not a status a check can be set to (see {@link #isValid}).
     */
    public static final String MAINTENANCE = "maintenance";

    private CheckStatus() {
    }

    /**
     * True for the statuses a check may hold or be set to: passing, warning, critical (Consul's
     * {@code structs.ValidStatus}; "maintenance" is not one).
     */
    public static boolean isValid(String status) {
        return PASSING.equals(status) || WARNING.equals(status) || CRITICAL.equals(status);
    }
}
