package io.roster.server;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.roster.api.Json;
import io.roster.state.ApplyError;
import io.roster.state.TxnOutcome;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The result of {@link io.roster.state.Store#apply}, carried back from the leader in a Ratis reply. */
final class ResultCodec {
    private ResultCodec() {
    }

    record Envelope(@JsonProperty("T") String type, @JsonProperty("V") JsonNode value) {
    }

    static byte[] encode(Object result) {
        String type = switch (result) {
            case null -> "null";
            case Boolean b -> "bool";
            case String s -> "string";
            case Integer i -> "int";
            case Long l -> "long";
            case ApplyError e -> "error";
            case TxnOutcome t -> "txn";
            default -> throw new IllegalArgumentException("cannot carry a " + result.getClass().getSimpleName());
        };
        return Json.write(new Envelope(type, Json.mapper().valueToTree(result)));
    }

    static Object decode(byte[] bytes) {
        try {
            Envelope e = Json.mapper().readValue(bytes, Envelope.class);
            return switch (e.type()) {
                case "null" -> null;
                case "bool" -> e.value().asBoolean();
                case "string" -> e.value().asText();
                case "int" -> e.value().asInt();
                case "long" -> e.value().asLong();
                case "error" -> Json.mapper().treeToValue(e.value(), ApplyError.class);
                case "txn" -> Json.mapper().treeToValue(e.value(), TxnOutcome.class);
                default -> throw new IllegalStateException("unknown result type " + e.type());
            };
        } catch (IOException ex) {
            throw new UncheckedIOException("corrupt apply result", ex);
        }
    }
}
