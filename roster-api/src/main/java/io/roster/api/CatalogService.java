package io.roster.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Map;

/** One element of {@code /v1/catalog/service/<name>}: node fields and {@code Service*} fields flattened. */
@JsonPropertyOrder({"ID", "Node", "Address", "Datacenter", "TaggedAddresses", "NodeMeta", "ServiceKind", "ServiceID",
    "ServiceName", "ServiceTags", "ServiceAddress", "ServiceTaggedAddresses", "ServiceWeights", "ServiceMeta",
    "ServicePort", "ServiceEnableTagOverride", "CreateIndex", "ModifyIndex"})
public record CatalogService(@JsonProperty("ID") String id,
                             @JsonProperty("Node") String node,
                             @JsonProperty("Address") String address,
                             @JsonProperty("Datacenter") String datacenter,
                             @JsonProperty("TaggedAddresses") Map<String, String> taggedAddresses,
                             @JsonProperty("NodeMeta") Map<String, String> nodeMeta,
                             @JsonProperty("ServiceKind") String serviceKind,
                             @JsonProperty("ServiceID") String serviceId,
                             @JsonProperty("ServiceName") String serviceName,
                             @JsonProperty("ServiceTags") List<String> serviceTags,
                             @JsonProperty("ServiceAddress") String serviceAddress,
                             @JsonProperty("ServiceTaggedAddresses") Map<String, ServiceDefinition.ServiceAddress> serviceTaggedAddresses,
                             @JsonProperty("ServiceWeights") ServiceDefinition.Weights serviceWeights,
                             @JsonProperty("ServiceMeta") Map<String, String> serviceMeta,
                             @JsonProperty("ServicePort") int servicePort,
                             @JsonProperty("ServiceEnableTagOverride") boolean serviceEnableTagOverride,
                             @JsonProperty("CreateIndex") long createIndex,
                             @JsonProperty("ModifyIndex") long modifyIndex) {

    public static CatalogService of(Node n, NodeService s) {
        return new CatalogService(n.id(), n.node(), n.address(), n.datacenter(), n.taggedAddresses(), n.meta(),
                s.kind(), s.id(), s.service(), s.tags(), s.address(), s.taggedAddresses(), s.weights(), s.meta(),
                s.port(), s.enableTagOverride(), s.createIndex(), s.modifyIndex());
    }
}
