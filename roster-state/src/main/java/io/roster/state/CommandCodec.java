package io.roster.state;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.roster.api.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * Binary form of a command for the log: one byte of type code, then the command's JSON.
 * JSON keeps entries readable and lets fields be added compatibly; the type code is what must stay stable.
 */
public final class CommandCodec {
    private static final ObjectMapper JSON = Json.mapper();
    /** Map entries sorted by key, so a command encodes to the same bytes in every JVM (see {@link Snapshot}). */
    private static final ObjectWriter WRITER = JSON.writer().with(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    private CommandCodec() {
    }

    public static byte[] encode(Command c) {
        byte[] body;
        try {
            body = WRITER.writeValueAsBytes(c);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialize " + c.type(), e);
        }
        byte[] out = new byte[body.length + 1];
        out[0] = (byte) c.type().code();
        System.arraycopy(body, 0, out, 1, body.length);
        return out;
    }

    /**
     * Decodes a command; returns {@code null} for an unknown ignorable type.
     *
     * @throws IllegalStateException for an unknown type that may not be ignored
     */
    public static Command decode(byte[] bytes) {
        int code = bytes[0] & 0xff;
        CommandType type = CommandType.of(code);
        if (type == null) {
            if (code >= CommandType.IGNORABLE) {
                return null;
            }
            throw new IllegalStateException("unknown command type " + code + ": this server is older than the log");
        }
        Class<? extends Command> cls = switch (type) {
            case KV -> Command.Kv.class;
            case SESSION_CREATE -> Command.SessionCreate.class;
            case SESSION_DESTROY -> Command.SessionDestroy.class;
            case TXN -> Command.Txn.class;
            case TOMBSTONE_REAP -> Command.TombstoneReap.class;
            case CATALOG_REGISTER -> Command.CatalogRegister.class;
            case CATALOG_DEREGISTER -> Command.CatalogDeregister.class;
            case RESTORE -> Command.Restore.class;
        };
        try {
            return JSON.readValue(Arrays.copyOfRange(bytes, 1, bytes.length), cls);
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt " + type + " command", e);
        }
    }
}
