/**
 * Small helpers shared by the agent's packages that belong to none of them: the rate-limited log
 * line for failures repeated in a loop ({@link io.roster.agent.util.RateLimitedLog}). Nothing here
 * knows of the catalog, gossip or HTTP.
 */
package io.roster.agent.util;
