package io.roster.agent.http;

import io.roster.state.Store;
import java.util.List;

/**
 * What a Consul with Connect disabled answers: {@code /v1/connect/*}, {@code /v1/discovery-chain/*}
 * and {@code /v1/agent/connect/*} answer {@code 500 Connect must be enabled in order to use this
 * endpoint}; the catalog reads of proxies and gateways ({@code /v1/catalog/connect},
 * {@code /v1/health/connect}, ...) are empty lists.
 */
final class ConnectEndpoint {
    static final String CONNECT_DISABLED = "Connect must be enabled in order to use this endpoint";

    private final Store store;

    ConnectEndpoint(Store store) {
        this.store = store;
    }

    /** {@code /v1/connect/*}, {@code /v1/discovery-chain/*}: what a Consul with Connect disabled answers. */
    void connectDisabled(Call call) {
        call.error(500, CONNECT_DISABLED);
    }

    /**
     * {@code /v1/catalog/connect/<service>}, {@code /v1/health/connect/<service>},
     * {@code /v1/health/ingress/<service>}, {@code /v1/catalog/gateway-services/<gateway>}: Consul
     * answers these catalog reads without Connect too; with no proxies, gateways or native
     * services in Roster's catalog they are always empty lists.
     */
    void emptyCatalogList(Call call) {
        if (call.rest().isEmpty()) {
            throw HttpError.badRequest("Missing service name");
        }
        call.meta(store.lastIndex());
        call.json(List.of());
    }
}
