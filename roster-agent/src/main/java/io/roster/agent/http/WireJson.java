package io.roster.agent.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import io.roster.api.CatalogService;
import io.roster.api.Json;
import io.roster.api.Node;
import java.io.IOException;
import java.util.Map;

/**
 * The JSON writer of HTTP answers: {@link Json#mapper()} plus the few places where Consul's wire
 * form differs from the form Roster stores, replicates and snapshots (which must stay as it is).
 *
 * <p>A node registered without tagged addresses has a nil {@code TaggedAddresses} map in Consul,
 * so Consul answers {@code "TaggedAddresses": null} for it (in {@code /v1/catalog/nodes},
 * {@code /v1/catalog/node/<n>}, {@code /v1/catalog/service/<s>}, {@code /v1/health/service/<s>}).
 * Clients rely on that: kiwiproject's consul-client maps a present {@code TaggedAddresses}
 * object to a type whose {@code wan} field is required, so {@code {}} fails the whole read.
 */
final class WireJson {
    private static final ObjectMapper MAPPER = Json.mapper().copy()
            .addMixIn(Node.class, NodeWire.class)
            .addMixIn(CatalogService.class, CatalogServiceWire.class);

    private WireJson() {
    }

    /** Serializes an HTTP answer to UTF-8 JSON bytes. */
    static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize " + value.getClass().getSimpleName(), e);
        }
    }

    /** An answer element as the JSON tree clients see (what {@code ?filter=} is evaluated against). */
    static com.fasterxml.jackson.databind.JsonNode tree(Object value) {
        return MAPPER.valueToTree(value);
    }

    /** Writes an empty map as {@code null}, as Go's encoding/json writes a nil map. */
    static final class EmptyMapAsNull extends JsonSerializer<Map<?, ?>> {
        @Override
        public void serialize(Map<?, ?> value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            if (value.isEmpty()) {
                gen.writeNull();
            } else {
                provider.defaultSerializeValue(value, gen);
            }
        }
    }

    private abstract static class NodeWire {
        @JsonSerialize(using = EmptyMapAsNull.class)
        abstract Map<String, String> taggedAddresses();
    }

    private abstract static class CatalogServiceWire {
        @JsonSerialize(using = EmptyMapAsNull.class)
        abstract Map<String, String> taggedAddresses();
    }
}
