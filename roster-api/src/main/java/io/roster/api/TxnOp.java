package io.roster.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;

/**
 * One operation of {@code PUT /v1/txn}. Only the {@code KV} form exists so far; the other forms of
 * Consul's API (Node, Service, Check, Session) are rejected with a clear error until the catalog exists.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TxnOp(@JsonProperty("KV") KvOp kv,
                    @JsonProperty("Node") Object node,
                    @JsonProperty("Service") Object service,
                    @JsonProperty("Check") Object check,
                    @JsonProperty("Session") Object session) {

    /** Convenience for the KV form. */
    public static TxnOp of(KvOp op) {
        return new TxnOp(op, null, null, null, null);
    }

    /** The KV operation: {@code Verb} is one of Consul's KV verbs, {@code Index} feeds cas/check-index. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record KvOp(@JsonProperty("Verb") String verb,
                       @JsonProperty("Key") String key,
                       @JsonProperty("Value") byte[] value,
                       @JsonProperty("Flags") @JsonSerialize(using = UnsignedLongJson.Serializer.class)
                       @JsonDeserialize(using = UnsignedLongJson.Deserializer.class) Long flags,
                       @JsonProperty("Index") Long index,
                       @JsonProperty("Session") String session) {
    }
}
