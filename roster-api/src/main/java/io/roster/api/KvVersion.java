package io.roster.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;

/**
 * One version of a KV key as {@code GET /v1/kv/<key>?history} returns it (a Roster extension; Consul
 * keeps no history). {@code ModifyIndex} is the Raft index that wrote this version; a delete is a
 * version too, with {@code Deleted} true and no value. {@code Size} is the value's length in bytes.
 * {@code Time} is when the server that took the write stamped it into the replicated command
 * (RFC 3339, UTC, milliseconds): apply reads no clock, so every server records the same time. It is
 * absent for versions written before the stamp existed and for deletes no client asked for (a
 * session's release or delete of the keys it held).
 */
@JsonPropertyOrder({"Key", "ModifyIndex", "CreateIndex", "LockIndex", "Flags", "Value", "Session", "Size", "Deleted", "Time"})
public record KvVersion(
        @JsonProperty("Key") String key,
        @JsonProperty("ModifyIndex") long modifyIndex,
        @JsonProperty("CreateIndex") long createIndex,
        @JsonProperty("LockIndex") long lockIndex,
        @JsonProperty("Flags") @JsonSerialize(using = UnsignedLongJson.Serializer.class)
        @JsonDeserialize(using = UnsignedLongJson.PrimitiveDeserializer.class) long flags,
        @JsonProperty("Value") byte[] value,
        @JsonProperty("Session") @JsonInclude(JsonInclude.Include.NON_EMPTY) String session,
        @JsonProperty("Size") int size,
        @JsonProperty("Deleted") boolean deleted,
        @JsonProperty("Time") @JsonInclude(JsonInclude.Include.NON_NULL) String time) {

    public KvVersion {
        if (value != null && value.length == 0) {
            value = null;
        }
        size = value == null ? 0 : value.length;
    }

    /** The version a write left: the row as it now is; {@code timeMillis} 0 when unknown. */
    public static KvVersion of(KvPair p, long timeMillis) {
        return new KvVersion(p.key(), p.modifyIndex(), p.createIndex(), p.lockIndex(), p.flags(), p.value(),
                p.session(), 0, false, time(timeMillis));
    }

    /** The version a delete left at {@code index}: no value, {@code Deleted} true. */
    public static KvVersion deletedAt(String key, long index, long timeMillis) {
        return new KvVersion(key, index, 0, 0, 0, null, null, 0, true, time(timeMillis));
    }

    /** RFC 3339 in UTC with milliseconds, or null for 0 (no time known). */
    static String time(long millis) {
        return millis <= 0 ? null : java.time.format.DateTimeFormatter.ISO_INSTANT
                .format(java.time.Instant.ofEpochMilli(millis).truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
    }

    /** The value as UTF-8 text, or {@code null} when empty. */
    public String valueAsString() {
        return value == null ? null : new String(value, java.nio.charset.StandardCharsets.UTF_8);
    }
}
