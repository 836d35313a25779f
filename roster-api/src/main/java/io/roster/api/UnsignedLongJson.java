package io.roster.api;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import java.io.IOException;
import java.math.BigInteger;

/**
 * Consul's {@code uint64} fields (KV {@code Flags}) held in a Java {@code long}: written as the
 * unsigned decimal (0 .. 18446744073709551615), read back from the same.
 */
public final class UnsignedLongJson {
    private static final BigInteger MAX = new BigInteger("18446744073709551615");

    private UnsignedLongJson() {
    }

    /** Writes a long as an unsigned 64-bit number. */
    public static final class Serializer extends JsonSerializer<Long> {
        @Override
        public void serialize(Long value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            if (value >= 0) {
                gen.writeNumber(value);
            } else {
                gen.writeNumber(new BigInteger(Long.toUnsignedString(value)));
            }
        }
    }

    /** Reads an unsigned 64-bit number into a long (values above 2^63-1 wrap, as the bits are the same). */
    public static final class Deserializer extends JsonDeserializer<Long> {
        @Override
        public Long deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken() != JsonToken.VALUE_NUMBER_INT) {
                return (Long) ctxt.handleUnexpectedToken(Long.class, p);
            }
            BigInteger v = p.getBigIntegerValue();
            if (v.signum() < 0 || v.compareTo(MAX) > 0) {
                throw ctxt.weirdNumberException(v, Long.class, "not an unsigned 64-bit integer");
            }
            return v.longValue();
        }
    }

    /** As {@link Deserializer}, for a primitive {@code long}: an absent or null value is 0. */
    public static final class PrimitiveDeserializer extends JsonDeserializer<Long> {
        private final Deserializer inner = new Deserializer();

        @Override
        public Long deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            return inner.deserialize(p, ctxt);
        }

        @Override
        public Long getNullValue(DeserializationContext ctxt) {
            return 0L;
        }

        @Override
        public Object getAbsentValue(DeserializationContext ctxt) {
            return 0L;
        }
    }
}
