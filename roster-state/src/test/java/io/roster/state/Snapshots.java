package io.roster.state;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Snapshot bytes as test evidence: two stores are equal exactly when these are. */
final class Snapshots {
    private Snapshots() {
    }

    static byte[] bytes(Store store) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            store.snapshot(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static String text(Store store) {
        return new String(bytes(store), StandardCharsets.UTF_8);
    }

    /**
     * The snapshot without the header's last-applied {@code Index}, which moves with every command,
     * even one that was refused: what is left is every table and table index.
     */
    static String tables(Store store) {
        String s = text(store);
        int nl = s.indexOf('\n');
        String header = s.substring(0, nl).replaceFirst(",\"Index\":\\d+,", ",");
        return header + s.substring(nl);
    }

    static void restore(Store store, byte[] snapshot) throws IOException {
        store.restore(new ByteArrayInputStream(snapshot));
    }
}
