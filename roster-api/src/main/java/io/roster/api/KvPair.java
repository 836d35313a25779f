package io.roster.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;

/**
 * One KV entry as Consul's {@code /v1/kv} returns it. {@code Value} travels as base64 (Jackson's
 * default for {@code byte[]}); an empty value is {@code null} on the wire, as in Consul.
 * {@code Session} is omitted when the key is not locked.
 */
@JsonPropertyOrder({"LockIndex", "Key", "Flags", "Value", "Session", "CreateIndex", "ModifyIndex"})
public record KvPair(
        @JsonProperty("LockIndex") long lockIndex,
        @JsonProperty("Key") String key,
        @JsonProperty("Flags") @JsonSerialize(using = UnsignedLongJson.Serializer.class)
        @JsonDeserialize(using = UnsignedLongJson.PrimitiveDeserializer.class) long flags,
        @JsonProperty("Value") byte[] value,
        @JsonProperty("Session") @JsonInclude(JsonInclude.Include.NON_EMPTY) String session,
        @JsonProperty("CreateIndex") long createIndex,
        @JsonProperty("ModifyIndex") long modifyIndex) {

    /** An empty value is stored and sent as {@code null}, whichever path (PUT body, txn op) it came by. */
    public KvPair {
        if (value != null && value.length == 0) {
            value = null;
        }
    }

    /** The value as UTF-8 text, or {@code null} when empty. */
    public String valueAsString() {
        return value == null ? null : new String(value, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** This entry with its value removed, as transaction write results show it. */
    public KvPair withoutValue() {
        return new KvPair(lockIndex, key, flags, null, session, createIndex, modifyIndex);
    }
}
