package io.roster.agent.client;

import io.roster.agent.local.CatalogAccess;
import io.roster.api.CatalogDeregistration;
import io.roster.api.CatalogRegistration;
import io.roster.api.HealthCheck;
import io.roster.api.NodeService;
import io.roster.api.RosterClient;
import io.roster.api.RosterException;
import io.roster.state.Command;
import io.roster.state.Store;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A server's catalog over its HTTP API ({@code /v1/catalog/*}, {@code /v1/health/node}), for a
 * client agent's anti-entropy. Each call goes to the preferred alive server and fails over to the
 * next on a connection error.
 */
public final class RemoteCatalog implements CatalogAccess {
    private final ServerList servers;
    private final String datacenter;
    private final Map<String, RosterClient> clients = new ConcurrentHashMap<>();
    private volatile int lastNodeCount = 1;

    public RemoteCatalog(ServerList servers, String datacenter) {
        this.servers = servers;
        this.datacenter = datacenter;
    }

    private interface Call<T> {
        T run(RosterClient c);
    }

    private <T> T call(Call<T> call) {
        List<String> list = servers.servers();
        if (list.isEmpty()) {
            throw new IllegalStateException("No known Consul servers");
        }
        RosterException last = null;
        for (String s : list) {
            try {
                return call.run(clients.computeIfAbsent(s, RosterClient::create));
            } catch (RosterException e) {
                if (e.status() > 0) {
                    throw e; // the server answered: a real error, not a reason to fail over
                }
                servers.failed(s);
                last = e;
            }
        }
        throw last;
    }

    @Override
    public Store.NodeInfo node(String name) {
        Optional<RosterClient.CatalogNode> n = call(c -> c.catalog().node(name, null).value());
        if (n.isEmpty() || n.get().node() == null) {
            return null;
        }
        List<NodeService> services = new ArrayList<>(n.get().services().values());
        return new Store.NodeInfo(n.get().node(), services);
    }

    @Override
    public List<HealthCheck> nodeChecks(String name) {
        return call(c -> c.health().node(name, null).value());
    }

    @Override
    public int nodeCount() {
        try {
            lastNodeCount = call(c -> c.catalog().nodes(Map.of(), null).value().size());
        } catch (RuntimeException e) {
            // keep the last count: this only scales the sync interval
        }
        return lastNodeCount;
    }

    @Override
    public void apply(Command c) {
        if (c instanceof Command.CatalogRegister r) {
            io.roster.api.Node n = r.node();
            CatalogRegistration body = new CatalogRegistration(n.id(), n.node(), n.address(), datacenter,
                    n.taggedAddresses(), n.meta(), r.service(), null, r.checks().isEmpty() ? null : r.checks(),
                    r.skipNodeUpdate() ? Boolean.TRUE : null);
            call(cl -> {
                cl.catalog().register(body);
                return null;
            });
        } else if (c instanceof Command.CatalogDeregister d) {
            CatalogDeregistration body = new CatalogDeregistration(d.node(), datacenter, d.checkId(), d.serviceId());
            call(cl -> {
                cl.catalog().deregister(body);
                return null;
            });
        } else {
            throw new IllegalArgumentException("not a catalog command: " + c.type());
        }
    }
}
