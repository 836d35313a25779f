package io.roster.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.roster.api.testing.TestPorts;
import io.roster.state.Command;
import io.roster.state.KvVerb;
import io.roster.state.Store;
import io.roster.state.WatchSet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.ratis.util.MD5FileUtil;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A server refuses to load a snapshot whose bytes differ from the MD5 recorded when it was taken. */
class SnapshotDigestTest {
    @TempDir
    Path dir;

    @Test
    void aFileWhoseBytesMatchTheRecordedDigestLoadsAndAChangedOneIsRefused() throws Exception {
        Path f = dir.resolve("snapshot.1_10");
        Files.writeString(f, "{\"Format\":\"roster-snapshot\"}\n");
        var md5 = MD5FileUtil.computeAndSaveMd5ForFile(f.toFile());
        RosterStateMachine.verifyDigest(f.toFile(), md5);
        RosterStateMachine.verifyDigest(f.toFile(), null);

        Files.writeString(f, "{\"Format\":\"roster-snapshoT\"}\n");
        assertThatThrownBy(() -> RosterStateMachine.verifyDigest(f.toFile(), md5))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("is damaged")
                .hasMessageContaining(f.getFileName().toString());
    }

    @Test
    void aServerWhoseLatestSnapshotWasDamagedOnDiskDoesNotStartFromIt() throws Exception {
        String addr = "127.0.0.1:" + TestPorts.free();
        Path data = dir.resolve("data");
        Files.createDirectories(data);
        RaftReplicator r = new RaftReplicator(new Store(), addr, List.of(addr), data, 5, "dc1").start();
        try {
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(r::isLeader);
            for (int i = 0; i < 20; i++) {
                r.submit(new Command.Kv(KvVerb.SET, "k" + i, ("v" + i).getBytes(StandardCharsets.UTF_8), 0, 0, null))
                        .get(30, TimeUnit.SECONDS);
            }
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> latestSnapshot(data) != null);
        } finally {
            r.close();
        }
        Path snap = latestSnapshot(data);
        byte[] bytes = Files.readAllBytes(snap);
        assertThat(bytes.length).isGreaterThan(10);
        bytes[bytes.length / 2] ^= 0x20;
        Files.write(snap, bytes);

        assertThatThrownBy(() -> new RaftReplicator(new Store(), addr, List.of(addr), data, 5, "dc1").start().close())
                .hasStackTraceContaining("is damaged");
    }

    private static Path latestSnapshot(Path data) throws IOException {
        try (Stream<Path> s = Files.walk(data)) {
            return s.filter(p -> p.getFileName().toString().startsWith("snapshot.") && !p.toString().endsWith(".md5")
                            && !p.toString().endsWith(".tmp"))
                    .max(Comparator.comparingLong(p -> Long.parseLong(p.getFileName().toString().replaceAll(".*_", ""))))
                    .orElse(null);
        }
    }
}
