package io.roster.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RotatingFileAppenderTest {
    @TempDir
    Path dir;

    private static List<String> names(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void theFileNameFollowsConsul() {
        assertThat(RotatingFileAppender.activeFile(Path.of("/var/log/roster"), "/var/log/roster/"))
                .isEqualTo(Path.of("/var/log/roster/consul.log"));
        assertThat(RotatingFileAppender.activeFile(Path.of("/var/log/agent"), "/var/log/agent"))
                .isEqualTo(Path.of("/var/log/agent.log"));
        assertThat(RotatingFileAppender.activeFile(Path.of("/var/log/roster.txt"), "/var/log/roster.txt"))
                .isEqualTo(Path.of("/var/log/roster.txt"));
    }

    @Test
    void rotatesBySizeAndKeepsTheNewestFiles() throws IOException {
        LoggerContext ctx = new LoggerContext();
        PatternLayoutEncoder enc = new PatternLayoutEncoder();
        enc.setContext(ctx);
        enc.setPattern("%msg%n");
        enc.start();
        Path file = dir.resolve("consul.log");
        RotatingFileAppender a = new RotatingFileAppender(file, 100, Duration.ofHours(24), 2);
        a.setContext(ctx);
        a.setEncoder(enc);
        a.start();
        ch.qos.logback.classic.Logger logger = ctx.getLogger("t");
        for (int i = 0; i < 20; i++) {
            a.doAppend(new LoggingEvent("t", logger, Level.INFO, "line %d of forty-ish bytes..........".formatted(i), null, null));
        }
        a.stop();
        List<String> files = names(dir);
        // The active file and the 2 newest rotated ones; each rotated file holds at most 100 bytes plus one line.
        assertThat(files).hasSize(3).contains("consul.log");
        assertThat(files).filteredOn(n -> !n.equals("consul.log")).allMatch(n -> n.matches("consul-\\d+\\.log"));
        for (String n : files) {
            assertThat(Files.size(dir.resolve(n))).isLessThanOrEqualTo(100 + 50);
        }
        assertThat(Files.readString(file)).contains("line 19 of");
    }
}
