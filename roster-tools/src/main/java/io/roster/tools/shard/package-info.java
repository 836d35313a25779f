/**
 * The dynamic-sharding proxy in front of Prometheus Pushgateways: {@link io.roster.tools.shard.ShardProxy}
 * registers the instances with the agent, watches the passing ones with a blocking query, and forwards
 * each push to the owner of its path on a {@link io.roster.tools.shard.HashRing}. Stateless: several
 * proxies route alike. Talks to the agent only through roster-api; its HTTP listener is the JDK's.
 */
package io.roster.tools.shard;
