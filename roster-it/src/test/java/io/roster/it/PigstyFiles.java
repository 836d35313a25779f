package io.roster.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.roster.api.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Renders Pigsty's {@code /etc/consul.d/} for one host of a 3-server DCS, the way Pigsty's
 * templates fill it in per node: each file starts from the verbatim fixture
 * ({@code fixtures/pigsty/*}, {@code fixtures/svc-postgres.json}, rendered by Pigsty for
 * {@code meta-1} and {@code pg-test-1}) and only the per-host fields are changed, in code:
 *
 * <ul>
 *   <li>{@code consul.json}: {@code node_name} and {@code bind_addr} (the host's), and
 *       {@code data_dir}, because the test hosts share one file system ({@code /data/consul} of
 *       the fixture becomes a directory of the run). {@code datacenter}, {@code retry_join} (the 3
 *       servers' addresses, no port), {@code log_level}, {@code enable_local_script_checks}
 *       stay as Pigsty wrote them.</li>
 *   <li>{@code consul-server.json} ({@code server: true, bootstrap_expect: 2}) verbatim, on
 *       servers only; {@code consul-ui.json} verbatim, on servers only (Pigsty's meta nodes).</li>
 *   <li>{@code consul-meta.json}: {@code node_meta.cluster} and {@code instance} of the host
 *       ({@code meta}/{@code meta-N} on servers, {@code pg-test}/{@code pg-test-N} on clients).</li>
 *   <li>{@code svc-postgres.json} on clients only: instance {@code pg-test-N}, {@code seq} N; the
 *       instances after the first are replicas ({@code role}, {@code service} and the first tag).</li>
 * </ul>
 */
public final class PigstyFiles {
    private PigstyFiles() {
    }

    /** A Pigsty node: its name ({@code meta-1}, {@code pg-test-2}), address, role, and sequence number. */
    public record Node(String name, String ip, boolean server, int seq) {
    }

    /** Writes the node's {@code consul.d} into {@code dir} (created) and returns the files written. */
    public static List<Path> render(Node node, Path dir, Path dataDir) {
        try {
            Files.createDirectories(dir);
            List<Path> written = new ArrayList<>();
            ObjectNode consul = read("pigsty/consul.json");
            consul.put("node_name", node.name());
            consul.put("bind_addr", node.ip());
            consul.put("data_dir", dataDir.toString());
            written.add(write(dir, "consul.json", consul));

            ObjectNode meta = read("pigsty/consul-meta.json");
            ObjectNode nodeMeta = (ObjectNode) meta.get("node_meta");
            nodeMeta.put("cluster", node.server() ? "meta" : "pg-test");
            nodeMeta.put("instance", node.name());
            written.add(write(dir, "consul-meta.json", meta));

            if (node.server()) {
                written.add(copy(dir, "pigsty/consul-server.json"));
                written.add(copy(dir, "pigsty/consul-ui.json"));
            } else {
                ObjectNode svc = read("svc-postgres.json");
                ObjectNode s = (ObjectNode) svc.get("service");
                ObjectNode m = (ObjectNode) s.get("meta");
                m.put("seq", Integer.toString(node.seq()));
                m.put("instance", "pg-test-" + node.seq());
                if (node.seq() > 1) {
                    m.put("role", "replica");
                    m.put("service", "pg-test-replica");
                    ((ArrayNode) s.get("tags")).set(0, "replica");
                }
                written.add(write(dir, "svc-postgres.json", svc));
            }
            return written;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ObjectNode read(String fixture) throws IOException {
        JsonNode n = Json.mapper().readTree(Files.readString(Fixtures.path(fixture)));
        return (ObjectNode) n;
    }

    private static Path write(Path dir, String name, JsonNode n) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(n) + "\n");
        return p;
    }

    private static Path copy(Path dir, String fixture) throws IOException {
        Path p = dir.resolve(Path.of(fixture).getFileName().toString());
        Files.copy(Fixtures.path(fixture), p, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return p;
    }
}
