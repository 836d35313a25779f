package io.roster.tools;

import java.util.function.UnaryOperator;

/**
 * The environment and agent address as the tools read them. Precedence, as consul-template's and
 * envconsul's: a flag, then the config file, then {@code ROSTER_HTTP_ADDR} / {@code CONSUL_HTTP_ADDR}
 * (and {@code CONSUL_HTTP_TOKEN}), then 127.0.0.1:8500.
 */
public final class ToolEnv {
    /** Reads an environment variable; tests replace it so that the machine's CONSUL_* cannot leak in. */
    public static volatile UnaryOperator<String> env = System::getenv;

    private ToolEnv() {
    }

    static String address(String flag, String config) {
        return first(flag, config, env.apply("ROSTER_HTTP_ADDR"), env.apply("CONSUL_HTTP_ADDR"), "127.0.0.1:8500");
    }

    static String token(String flag, String config) {
        return first(flag, config, env.apply("CONSUL_HTTP_TOKEN"));
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
