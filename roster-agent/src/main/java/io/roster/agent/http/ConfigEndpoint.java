package io.roster.agent.http;

import io.roster.state.Store;
import java.util.List;
import java.util.Set;

/** {@code /v1/config/*}: config entries, of which Roster stores none (Consul's answers for an empty store). */
final class ConfigEndpoint {
    /** Config entry kinds of Consul 1.16 ({@code structs.AllConfigEntryKinds}). */
    static final Set<String> CONFIG_KINDS = Set.of("service-defaults", "proxy-defaults", "service-router",
            "service-splitter", "service-resolver", "ingress-gateway", "terminating-gateway", "service-intentions",
            "mesh", "exported-services", "sameness-group", "api-gateway", "bound-api-gateway", "inline-certificate",
            "http-route", "tcp-route", "jwt-provider");

    private final Store store;

    ConfigEndpoint(Store store) {
        this.store = store;
    }

    /**
     * {@code GET /v1/config/<kind>} lists the kind's entries (none: Roster stores no config entries),
     * {@code GET /v1/config/<kind>/<name>} is Consul's 404; an unknown kind is a 400.
     */
    void configEntries(Call call) {
        String rest = call.rest();
        int slash = rest.indexOf('/');
        String kind = slash < 0 ? rest : rest.substring(0, slash);
        String name = slash < 0 ? "" : rest.substring(slash + 1);
        if (kind.isEmpty()) {
            throw HttpError.badRequest("Must provide either a kind or both kind and name");
        }
        if (!CONFIG_KINDS.contains(kind)) {
            throw HttpError.badRequest("invalid config entry kind: " + kind);
        }
        call.meta(store.lastIndex());
        if (!name.isEmpty()) {
            call.error(404, "Config entry not found for \"" + kind + "\" / \"" + name + "\"");
            return;
        }
        call.json(List.of());
    }
}
