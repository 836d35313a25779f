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
}
