package io.roster.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Map;

/** A catalog node, as {@code /v1/catalog/nodes} and {@code Node} of a health entry show it. Maps are never null. */
@JsonPropertyOrder({"ID", "Node", "Address", "Datacenter", "TaggedAddresses", "Meta", "CreateIndex", "ModifyIndex"})
public record Node(@JsonProperty("ID") String id,
                   @JsonProperty("Node") String node,
                   @JsonProperty("Address") String address,
                   @JsonProperty("Datacenter") String datacenter,
                   @JsonProperty("TaggedAddresses") Map<String, String> taggedAddresses,
                   @JsonProperty("Meta") Map<String, String> meta,
                   @JsonProperty("CreateIndex") long createIndex,
                   @JsonProperty("ModifyIndex") long modifyIndex) {

    public Node {
        id = id == null ? "" : id;
        address = address == null ? "" : address;
        datacenter = datacenter == null ? "" : datacenter;
        taggedAddresses = taggedAddresses == null ? Map.of() : Map.copyOf(taggedAddresses);
        meta = meta == null ? Map.of() : Map.copyOf(meta);
    }

    public Node withIndexes(long create, long modify) {
        return new Node(id, node, address, datacenter, taggedAddresses, meta, create, modify);
    }

    /** Equal in everything but the indexes. */
    public boolean sameAs(Node o) {
        return o != null && id.equals(o.id) && node.equals(o.node) && address.equals(o.address)
                && datacenter.equals(o.datacenter) && taggedAddresses.equals(o.taggedAddresses) && meta.equals(o.meta);
    }
}
