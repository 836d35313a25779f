package io.roster.tools;

import java.util.function.UnaryOperator;

/**
 * The environment and agent address as the tools read them. Precedence, as consul-template's and
 * envconsul's: a flag, then the config file, then {@code ROSTER_HTTP_ADDR} / {@code CONSUL_HTTP_ADDR}
 * (and {@code CONSUL_HTTP_TOKEN_FILE}, then {@code CONSUL_HTTP_TOKEN}), then 127.0.0.1:8500.
 */
public final class ToolEnv {
    /** Reads an environment variable; tests replace it so that the machine's CONSUL_* cannot leak in. */
    public static volatile UnaryOperator<String> env = System::getenv;

    private ToolEnv() {
    }

    static String address(String flag, String config) {
        return first(flag, config, env.apply("ROSTER_HTTP_ADDR"), env.apply("CONSUL_HTTP_ADDR"), "127.0.0.1:8500");
    }

    /**
     * The token: the flag, the config file's, then the file {@code CONSUL_HTTP_TOKEN_FILE} names
     * (it wins over {@code CONSUL_HTTP_TOKEN}, as in Consul's api package), then {@code CONSUL_HTTP_TOKEN}.
     * An unreadable token file is an error, not a silent fall-back to the anonymous token.
     */
    static String token(String flag, String config) {
        String file = env.apply("CONSUL_HTTP_TOKEN_FILE");
        String fromFile = null;
        if (file != null && !file.isEmpty()) {
            try {
                fromFile = java.nio.file.Files.readString(java.nio.file.Path.of(file), java.nio.charset.StandardCharsets.UTF_8).strip();
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("Error loading token file: " + e.getMessage());
            }
        }
        return first(flag, config, fromFile, env.apply("CONSUL_HTTP_TOKEN"));
    }

    static String first(String... values) {
        for (String v : values) {
            if (v != null && !v.isEmpty()) {
                return v;
            }
        }
        return null;
    }
}
