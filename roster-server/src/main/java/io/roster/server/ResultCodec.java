package io.roster.server;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.roster.api.AclPolicy;
import io.roster.api.AclRole;
import io.roster.api.AclToken;
import io.roster.api.Json;
import io.roster.state.ApplyError;
import io.roster.state.ApplyResult;
import io.roster.state.TxnOutcome;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The result of {@link io.roster.state.Store#apply}, carried back from the leader in a Ratis reply:
 * a JSON envelope of a tag and a value, one tag per {@link ApplyResult} record. Encoding switches
 * over the sealed type with no default branch, so a new result shape does not compile until it has
 * a tag here. A batch's result is the list of its commands' results, in order.
 *
 * <p>This encoding replaced issue 17's untyped one (tags {@code string}, {@code int}, {@code long}
 * are gone): servers of one cluster must run the same version.
 */
final class ResultCodec {
    private ResultCodec() {
    }

    record Envelope(@JsonProperty("T") String type, @JsonProperty("V") JsonNode value) {
    }

    static byte[] encode(ApplyResult result) {
        return Json.write(envelope(result));
    }

    private static Envelope envelope(ApplyResult result) {
        return switch (result) {
            case ApplyResult.Bool(boolean b) -> new Envelope("bool", tree(b));
            case ApplyResult.Count(int n) -> new Envelope("count", tree(n));
            case ApplyResult.SessionId(String id) -> new Envelope("session-id", tree(id));
            case ApplyResult.QueryId(String id) -> new Envelope("query-id", tree(id));
            case ApplyResult.Token(AclToken t) -> new Envelope("acl-token", tree(t));
            case ApplyResult.Policy(AclPolicy p) -> new Envelope("acl-policy", tree(p));
            case ApplyResult.Role(AclRole r) -> new Envelope("acl-role", tree(r));
            case ApplyResult.None n -> new Envelope("none", null);
            case TxnOutcome t -> new Envelope("txn", tree(t));
            case ApplyError e -> new Envelope("error", tree(e));
            case ApplyResult.Batch(List<ApplyResult> results) -> {
                ArrayNode array = Json.mapper().createArrayNode();
                for (ApplyResult one : results) {
                    array.add(tree(envelope(one)));
                }
                yield new Envelope("batch", array);
            }
        };
    }

    private static JsonNode tree(Object value) {
        return Json.mapper().valueToTree(value);
    }

    static ApplyResult decode(byte[] bytes) {
        try {
            return decode(Json.mapper().readValue(bytes, Envelope.class));
        } catch (IOException ex) {
            throw new UncheckedIOException("corrupt apply result", ex);
        }
    }

    private static ApplyResult decode(Envelope e) throws IOException {
        return switch (e.type()) {
            case "bool" -> ApplyResult.Bool.of(e.value().asBoolean());
            case "count" -> new ApplyResult.Count(e.value().asInt());
            case "session-id" -> new ApplyResult.SessionId(e.value().asText());
            case "query-id" -> new ApplyResult.QueryId(e.value().asText());
            case "acl-token" -> new ApplyResult.Token(value(e, AclToken.class));
            case "acl-policy" -> new ApplyResult.Policy(value(e, AclPolicy.class));
            case "acl-role" -> new ApplyResult.Role(value(e, AclRole.class));
            case "none" -> ApplyResult.None.INSTANCE;
            case "txn" -> value(e, TxnOutcome.class);
            case "error" -> value(e, ApplyError.class);
            case "batch" -> {
                List<ApplyResult> out = new ArrayList<>(e.value().size());
                for (JsonNode one : e.value()) {
                    out.add(decode(Json.mapper().treeToValue(one, Envelope.class)));
                }
                yield new ApplyResult.Batch(out);
            }
            default -> throw new IllegalStateException("unknown apply result type " + e.type()
                    + " (servers of one cluster must run the same Roster version)");
        };
    }

    private static <T> T value(Envelope e, Class<T> type) throws IOException {
        return Json.mapper().treeToValue(e.value(), type);
    }
}
