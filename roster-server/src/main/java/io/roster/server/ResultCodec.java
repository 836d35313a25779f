package io.roster.server;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.roster.api.Json;
import io.roster.state.ApplyError;
import io.roster.state.TxnOutcome;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The result of {@link io.roster.state.Store#apply}, carried back from the leader in a Ratis reply.
 * A batch's result is the list of its commands' results, in order.
 */
final class ResultCodec {
    private ResultCodec() {
    }

    record Envelope(@JsonProperty("T") String type, @JsonProperty("V") JsonNode value) {
    }

    static byte[] encode(Object result) {
        return Json.write(envelope(result));
    }

    private static Envelope envelope(Object result) {
        String type = switch (result) {
            case null -> "null";
            case Boolean b -> "bool";
            case String s -> "string";
            case Integer i -> "int";
            case Long l -> "long";
            case ApplyError e -> "error";
            case TxnOutcome t -> "txn";
            case io.roster.api.AclToken t -> "acl-token";
            case io.roster.api.AclPolicy p -> "acl-policy";
            case io.roster.api.AclRole r -> "acl-role";
            case List<?> l -> "batch";
            default -> throw new IllegalArgumentException("cannot carry a " + result.getClass().getSimpleName());
        };
        if (result instanceof List<?> l) {
            ArrayNode array = Json.mapper().createArrayNode();
            for (Object one : l) {
                array.add(Json.mapper().valueToTree(envelope(one)));
            }
            return new Envelope(type, array);
        }
        return new Envelope(type, Json.mapper().valueToTree(result));
    }

    static Object decode(byte[] bytes) {
        try {
            return decode(Json.mapper().readValue(bytes, Envelope.class));
        } catch (IOException ex) {
            throw new UncheckedIOException("corrupt apply result", ex);
        }
    }

    private static Object decode(Envelope e) throws IOException {
        return switch (e.type()) {
            case "null" -> null;
            case "bool" -> e.value().asBoolean();
            case "string" -> e.value().asText();
            case "int" -> e.value().asInt();
            case "long" -> e.value().asLong();
            case "error" -> Json.mapper().treeToValue(e.value(), ApplyError.class);
            case "txn" -> Json.mapper().treeToValue(e.value(), TxnOutcome.class);
            case "acl-token" -> Json.mapper().treeToValue(e.value(), io.roster.api.AclToken.class);
            case "acl-policy" -> Json.mapper().treeToValue(e.value(), io.roster.api.AclPolicy.class);
            case "acl-role" -> Json.mapper().treeToValue(e.value(), io.roster.api.AclRole.class);
            case "batch" -> {
                List<Object> out = new ArrayList<>(e.value().size());
                for (JsonNode one : e.value()) {
                    out.add(decode(Json.mapper().treeToValue(one, Envelope.class)));
                }
                yield out;
            }
            default -> throw new IllegalStateException("unknown result type " + e.type());
        };
    }
}
