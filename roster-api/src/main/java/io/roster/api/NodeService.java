package io.roster.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Map;

/**
 * A service instance on a node: {@code Service} of a health entry, the values of
 * {@code /v1/agent/services}, and the services of {@code /v1/catalog/node/<node>}.
 * Collections are never null ({@code []}/{@code {}} on the wire, as Go clients expect).
 */
@JsonPropertyOrder({"Kind", "ID", "Service", "Tags", "Address", "TaggedAddresses", "Meta", "Port", "Weights",
    "EnableTagOverride", "Datacenter", "CreateIndex", "ModifyIndex"})
public record NodeService(@JsonProperty("Kind") @JsonInclude(JsonInclude.Include.NON_EMPTY) String kind,
                          @JsonProperty("ID") String id,
                          @JsonProperty("Service") String service,
                          @JsonProperty("Tags") List<String> tags,
                          @JsonProperty("Address") String address,
                          @JsonProperty("TaggedAddresses") Map<String, ServiceDefinition.ServiceAddress> taggedAddresses,
                          @JsonProperty("Meta") Map<String, String> meta,
                          @JsonProperty("Port") int port,
                          @JsonProperty("Weights") ServiceDefinition.Weights weights,
                          @JsonProperty("EnableTagOverride") boolean enableTagOverride,
                          @JsonProperty("Datacenter") @JsonInclude(JsonInclude.Include.NON_EMPTY) String datacenter,
                          @JsonProperty("CreateIndex") @JsonInclude(JsonInclude.Include.NON_DEFAULT) long createIndex,
                          @JsonProperty("ModifyIndex") @JsonInclude(JsonInclude.Include.NON_DEFAULT) long modifyIndex) {

    public NodeService {
        kind = kind == null ? "" : kind;
        service = service == null ? "" : service;
        id = id == null || id.isEmpty() ? service : id;
        tags = tags == null ? List.of() : List.copyOf(tags);
        address = address == null ? "" : address;
        taggedAddresses = taggedAddresses == null ? Map.of() : Map.copyOf(taggedAddresses);
        meta = meta == null ? Map.of() : Map.copyOf(meta);
        weights = weights == null ? ServiceDefinition.Weights.DEFAULT : weights;
        datacenter = datacenter == null ? "" : datacenter;
    }

    public NodeService withIndexes(long create, long modify) {
        return new NodeService(kind, id, service, tags, address, taggedAddresses, meta, port, weights,
                enableTagOverride, datacenter, create, modify);
    }

    public NodeService withDatacenter(String dc) {
        return new NodeService(kind, id, service, tags, address, taggedAddresses, meta, port, weights,
                enableTagOverride, dc, createIndex, modifyIndex);
    }

    /** Equal in everything but the indexes and datacenter. */
    public boolean sameAs(NodeService o) {
        return o != null && kind.equals(o.kind) && id.equals(o.id) && service.equals(o.service) && tags.equals(o.tags)
                && address.equals(o.address) && taggedAddresses.equals(o.taggedAddresses) && meta.equals(o.meta)
                && port == o.port && weights.equals(o.weights) && enableTagOverride == o.enableTagOverride;
    }

    /** The instance from a registration request ({@link ServiceDefinition}), without indexes. */
    public static NodeService from(ServiceDefinition d) {
        return new NodeService(d.kind(), d.effectiveId(), d.name(), d.tags(), d.address(), d.taggedAddresses(),
                d.meta(), d.port() == null ? 0 : d.port(), d.weights(),
                d.enableTagOverride() != null && d.enableTagOverride(), null, 0, 0);
    }
}
