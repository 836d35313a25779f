package io.roster.agent.local;

import io.roster.agent.server.StateServer;
import io.roster.api.HealthCheck;
import io.roster.state.ApplyError;
import io.roster.state.Command;
import io.roster.state.Store;
import io.roster.state.WatchSet;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The catalog as anti-entropy sees it: this node's entry and checks, and a way to write. A server
 * agent reads its own store and writes through Raft; a client agent reads and writes a server's
 * catalog over HTTP.
 */
public interface CatalogAccess {
    /** The node and its services, or null when the node is not in the catalog. */
    Store.NodeInfo node(String name) throws Exception;

    /** The node's checks (node-level and of its services). */
    List<HealthCheck> nodeChecks(String name) throws Exception;

    /** How many nodes the catalog has (scales the full-sync interval); best effort. */
    int nodeCount();

    /** Applies a catalog register or deregister; throws when refused or not reachable. */
    void apply(Command c) throws Exception;

    /** The local server's catalog. */
    static CatalogAccess of(StateServer server) {
        Store store = server.store();
        return new CatalogAccess() {
            @Override
            public Store.NodeInfo node(String name) {
                return store.node(WatchSet.NONE, name).value();
            }

            @Override
            public List<HealthCheck> nodeChecks(String name) {
                return store.nodeChecks(WatchSet.NONE, name).value();
            }

            @Override
            public int nodeCount() {
                return store.nodes(WatchSet.NONE).value().size();
            }

            @Override
            public void apply(Command c) throws Exception {
                io.roster.state.ApplyResult r = server.catalog(c).get(30, TimeUnit.SECONDS);
                if (r instanceof ApplyError e) {
                    throw new IllegalStateException(e.message());
                }
            }
        };
    }
}
