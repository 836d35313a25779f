package io.roster.agent;

/** Version strings the agent reports. */
public final class Version {
    /** Roster's own version. */
    public static final String ROSTER = "0.1.0";
    /**
     * The Consul version whose HTTP API Roster speaks; reported as {@code Config.Version} because
     * clients gate features on it.
     */
    public static final String CONSUL_API = "1.20.0";
    public static final String REVISION = "roster";
    public static final String BUILD_DATE = "2026-11-23T00:00:00Z";

    private Version() {
    }
}
