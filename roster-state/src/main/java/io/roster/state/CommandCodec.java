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
        if (c instanceof Command.Batch b) {
            return encodeBatch(b);
        }
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
        if (bytes == null || bytes.length == 0) {
            throw new IllegalStateException("empty command");
        }
        int code = bytes[0] & 0xff;
        CommandType type = CommandType.of(code);
        if (type == null) {
            if (code >= CommandType.IGNORABLE) {
                return null;
            }
            throw new IllegalStateException("unknown command type " + code + ": this server is older than the log");
        }
        if (type == CommandType.BATCH) {
            return decodeBatch(bytes);
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
            case PREPARED_QUERY_SET -> Command.PreparedQuerySet.class;
            case PREPARED_QUERY_DELETE -> Command.PreparedQueryDelete.class;
            case COORDINATE_BATCH -> Command.CoordinateBatch.class;
            case ACL_BOOTSTRAP -> Command.AclBootstrap.class;
            case ACL_TOKEN_SET -> Command.AclTokenSet.class;
            case ACL_TOKEN_DELETE -> Command.AclTokenDelete.class;
            case ACL_POLICY_SET -> Command.AclPolicySet.class;
            case ACL_POLICY_DELETE -> Command.AclPolicyDelete.class;
            case ACL_ROLE_SET -> Command.AclRoleSet.class;
            case ACL_ROLE_DELETE -> Command.AclRoleDelete.class;
            case BATCH -> throw new AssertionError("decoded above");
        };
        try {
            return JSON.readValue(Arrays.copyOfRange(bytes, 1, bytes.length), cls);
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt " + type + " command", e);
        }
    }

    /** A batch: its type byte, the number of commands, then each command's own encoding with its length. */
    private static byte[] encodeBatch(Command.Batch b) {
        java.util.List<byte[]> encoded = new java.util.ArrayList<>(b.commands().size());
        for (Command c : b.commands()) {
            encoded.add(encode(c));
        }
        return batchOf(encoded);
    }

    /** The encoding of a {@link Command.Batch} of commands already encoded by {@link #encode}. */
    public static byte[] batchOf(java.util.List<byte[]> encoded) {
        int size = 5;
        for (byte[] one : encoded) {
            size += 4 + one.length;
        }
        java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(size);
        out.put((byte) CommandType.BATCH.code());
        out.putInt(encoded.size());
        for (byte[] one : encoded) {
            if (Command.Batch.isBatch(one)) {
                throw new IllegalArgumentException("a batch cannot contain a batch");
            }
            out.putInt(one.length);
            out.put(one);
        }
        return out.array();
    }

    /** Sub-commands of an ignorable type this server does not know are left out. */
    private static Command.Batch decodeBatch(byte[] bytes) {
        java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(bytes, 1, bytes.length - 1);
        try {
            int n = in.getInt();
            if (n < 0 || n > in.remaining() / 5) {
                throw new IllegalStateException("corrupt BATCH command: " + n + " commands");
            }
            java.util.List<Command> commands = new java.util.ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                int len = in.getInt();
                if (len < 1 || len > in.remaining()) {
                    throw new IllegalStateException("corrupt BATCH command: entry " + i + " of " + len + " bytes");
                }
                byte[] one = new byte[len];
                in.get(one);
                if (Command.Batch.isBatch(one)) {
                    throw new IllegalStateException("corrupt BATCH command: nested batch");
                }
                Command c = decode(one);
                if (c != null) {
                    commands.add(c);
                }
            }
            return new Command.Batch(commands);
        } catch (java.nio.BufferUnderflowException e) {
            throw new IllegalStateException("corrupt BATCH command: truncated", e);
        }
    }
}
