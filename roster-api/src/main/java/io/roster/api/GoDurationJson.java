package io.roster.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import java.io.IOException;
import java.math.BigDecimal;

/**
 * A check duration field ({@code Interval}, {@code Timeout}, {@code TTL},
 * {@code DeregisterCriticalServiceAfter}) as Consul's {@code CheckType} decoder reads it: a Go
 * duration string, or a JSON number taken as nanoseconds ({@code "Interval": 10000000000} is 10s,
 * python-consul's {@code Check.script(args, 10)} sends {@code 10}, i.e. 10ns). A number is kept
 * as the equivalent Go duration string ({@code "10ns"}), so validation and the check runners see
 * one form.
 */
public final class GoDurationJson extends JsonDeserializer<String> {
    @Override
    public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
            // Go converts the float64 to time.Duration by truncation toward zero.
            BigDecimal v = p.getDecimalValue();
            return v.toBigInteger().toString() + "ns";
        }
        if (t == JsonToken.VALUE_STRING) {
            return p.getText();
        }
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        return (String) ctxt.handleUnexpectedToken(String.class, p);
    }
}
