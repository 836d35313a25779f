package io.roster.agent.config;

import java.util.Locale;
import org.slf4j.LoggerFactory;

/** Applies {@code log_level} to the logging backend. */
public final class Logging {
    private Logging() {
    }

    /**
     * Sets the root log level ({@code trace}, {@code debug}, {@code info}, {@code warn},
     * {@code err}/{@code error}). Logback reads {@code roster.log.level} once, when logging starts,
     * which may be before the configuration files are read; so the level is also set on the root
     * logger directly.
     */
    public static void setLevel(String level) {
        String l = (level.equalsIgnoreCase("err") ? "error" : level).toUpperCase(Locale.ROOT);
        System.setProperty("roster.log.level", l);
        if (LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext ctx) {
            ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)
                    .setLevel(ch.qos.logback.classic.Level.toLevel(l, ch.qos.logback.classic.Level.INFO));
        }
    }

    /**
     * Adds Consul's {@code -log-file} beside stderr: the same line format, rotated by size and age
     * ({@link RotatingFileAppender}).
     *
     * @throws IllegalArgumentException when the file cannot be opened
     */
    public static void toFile(io.roster.agent.AgentConfig.Process p) {
        if (!(LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext ctx)) {
            throw new IllegalArgumentException("the logging backend is not Logback");
        }
        java.nio.file.Path file = RotatingFileAppender.activeFile(java.nio.file.Path.of(p.logFile()), p.logFile());
        ch.qos.logback.classic.encoder.PatternLayoutEncoder enc = new ch.qos.logback.classic.encoder.PatternLayoutEncoder();
        enc.setContext(ctx);
        enc.setPattern("%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} [%-5level] %logger{0}: %msg%n");
        enc.start();
        RotatingFileAppender a = new RotatingFileAppender(file, p.logRotateBytes(), p.logRotateDuration(), p.logRotateMaxFiles());
        a.setContext(ctx);
        a.setName("FILE");
        a.setEncoder(enc);
        a.start();
        ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(a);
    }
}
