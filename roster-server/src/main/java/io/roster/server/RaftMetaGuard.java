package io.roster.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps Ratis' {@code raft-meta} file (a server's current term and vote) from being lost to a full disk.
 *
 * <p>Why: Ratis rewrites {@code <group>/current/raft-meta} on every term change and vote by writing
 * {@code raft-meta.tmp} and renaming it over the old file. When the write fails (ENOSPC), its output
 * stream is still closed by the writers around it, and closing it renames the temporary file over
 * {@code raft-meta} anyway: the server is left with an empty or truncated {@code raft-meta}, and every
 * later start fails with {@code 'term' not found in properties: {}} even after the disk has space
 * again (ratis-common {@code AtomicFileOutputStream.close} commits unconditionally and
 * {@code RaftStorageMetadataFileImpl.atomicWrite} never calls its {@code abort}; Ratis 3.3.0 and its
 * main branch alike). The running server is not harmed: it keeps the metadata it last persisted in
 * memory, and believes that is what is on disk.
 *
 * <p>What: while the server runs, {@link #keep} notices every new {@code raft-meta} (Ratis never
 * writes the file in place, so a new file is a new inode) and, when it is complete, hard-links it as
 * {@code <group>/raft-meta.kept}; a link takes no data block, so it is made on a full disk too, and
 * the renames Ratis does later cannot change the linked inode. Before Ratis starts, {@link #recover}
 * puts a damaged {@code raft-meta} back from that link: the term and vote this server last persisted
 * and was seen to persist. A damaged file with no good copy stops the start with a one-line message,
 * as before, rather than guessing a term (a server that forgot a vote could vote twice in one term).
 *
 * <p>Limit: the keeper polls ({@link #POLL_MS}); if Ratis persisted twice within one poll and the
 * second write failed, the copy holds the term before the first. That needs two term changes within
 * {@value #POLL_MS} ms on a server whose disk is full at that moment, and a restart before any later
 * successful write.
 */
final class RaftMetaGuard implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RaftMetaGuard.class);
    static final String META = "raft-meta";
    static final String KEPT = "raft-meta.kept";
    static final long POLL_MS = 50;

    private final Path raftDir;
    private final Map<Path, Object> seen = new HashMap<>();
    private final Thread thread;
    private volatile boolean closed;
    private long lastFailureLog;

    private RaftMetaGuard(Path raftDir) {
        this.raftDir = raftDir;
        this.thread = Thread.ofVirtual().name("raft-meta-guard").unstarted(this::loop);
    }

    /** Starts keeping a copy of every group's {@code raft-meta} under {@code raftDir} (Ratis' storage directory). */
    static RaftMetaGuard keep(Path raftDir) {
        RaftMetaGuard g = new RaftMetaGuard(raftDir);
        g.poll();
        g.thread.start();
        return g;
    }

    /**
     * Before Ratis starts on {@code raftDir}: every group whose {@code raft-meta} exists but does not hold
     * a term and a vote gets it back from its kept copy.
     *
     * @return the groups' directories that were repaired
     * @throws IOException when a {@code raft-meta} is damaged and no good copy was kept (one line, naming the file)
     */
    static List<Path> recover(Path raftDir) throws IOException {
        List<Path> repaired = new ArrayList<>();
        for (Path group : groups(raftDir)) {
            Path meta = group.resolve("current").resolve(META);
            if (!Files.exists(meta) || parse(meta).isPresent()) {
                continue;
            }
            Path kept = group.resolve(KEPT);
            Optional<String> copy = Files.exists(kept) ? parse(kept) : Optional.empty();
            if (copy.isEmpty()) {
                throw new IOException(meta + " is damaged (no term and vote; a write that failed, e.g. on a full disk)"
                        + " and no good copy was kept: remove this server's data directory to let it rejoin empty");
            }
            // A link, not a copy: the disk may still be full.
            Path tmp = group.resolve(META + ".restore");
            Files.deleteIfExists(tmp);
            Files.createLink(tmp, kept);
            move(tmp, meta);
            syncDir(meta.getParent());
            LOG.warn("Restored {} from {} ({}): the last write of it had failed and left it damaged", meta, kept, copy.get());
            repaired.add(group);
        }
        return repaired;
    }

    private void loop() {
        while (!closed) {
            try {
                Thread.sleep(POLL_MS);
            } catch (InterruptedException e) {
                return;
            }
            poll();
        }
    }

    /** One look at every group: a new, complete {@code raft-meta} is linked as the kept copy. */
    void poll() {
        try {
            for (Path group : groups(raftDir)) {
                Path meta = group.resolve("current").resolve(META);
                Object key;
                try {
                    key = Files.readAttributes(meta, BasicFileAttributes.class).fileKey();
                } catch (NoSuchFileException e) {
                    continue;
                }
                if (key != null && Objects.equals(seen.get(group), key)) {
                    continue;
                }
                Path tmp = group.resolve(KEPT + ".tmp");
                Files.deleteIfExists(tmp);
                Files.createLink(tmp, meta);
                // Checked after linking: what was linked is what the path named at that moment.
                Object linked = Files.readAttributes(tmp, BasicFileAttributes.class).fileKey();
                if (parse(tmp).isPresent()) {
                    move(tmp, group.resolve(KEPT));
                    syncDir(group);
                    seen.put(group, linked);
                } else {
                    Files.deleteIfExists(tmp);
                    // remembered too: a damaged file is not looked at again until Ratis writes a new one
                    seen.put(group, linked);
                }
            }
        } catch (IOException | UncheckedIOException | UnsupportedOperationException e) {
            long now = System.nanoTime();
            if (lastFailureLog == 0 || now - lastFailureLog > 60_000_000_000L) {
                lastFailureLog = now;
                LOG.warn("Cannot keep a copy of Raft metadata under {}: {} (logged once a minute)", raftDir, e.toString());
            }
        }
    }

    /** The term and vote in a {@code raft-meta} file, or empty when it lacks either (or cannot be read). */
    static Optional<String> parse(Path file) {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
        String term = p.getProperty("term");
        String votedFor = p.getProperty("votedFor");
        if (term == null || votedFor == null) {
            return Optional.empty();
        }
        try {
            Long.parseLong(term.trim());
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        return Optional.of("term " + term.trim() + ", votedFor '" + votedFor + "'");
    }

    private static List<Path> groups(Path raftDir) throws IOException {
        List<Path> groups = new ArrayList<>();
        if (!Files.isDirectory(raftDir)) {
            return groups;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(raftDir, Files::isDirectory)) {
            for (Path g : ds) {
                if (Files.isDirectory(g.resolve("current"))) {
                    groups.add(g);
                }
            }
        }
        return groups;
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void syncDir(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // some file systems cannot sync a directory; the rename is still done
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
