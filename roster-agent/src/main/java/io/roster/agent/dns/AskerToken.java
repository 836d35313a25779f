package io.roster.agent.dns;

import java.util.function.Supplier;

/**
 * The ACL token a DNS question is answered as when a client agent asked it over the server RPC
 * (the client's {@code default} token); none: this agent's own default token, as for a question
 * on its DNS port. Bound to the thread that answers the question, for that question only.
 */
public final class AskerToken {
    private static final ThreadLocal<String> TOKEN = new ThreadLocal<>();

    private AskerToken() {
    }

    /** Answers with {@code token} ({@code ""}: this agent's default token). */
    public static <T> T with(String token, Supplier<T> answer) {
        if (token == null || token.isEmpty()) {
            return answer.get();
        }
        String before = TOKEN.get();
        TOKEN.set(token);
        try {
            return answer.get();
        } finally {
            if (before == null) {
                TOKEN.remove();
            } else {
                TOKEN.set(before);
            }
        }
    }

    /** The asker's token, or {@code ""}. */
    static String current() {
        String t = TOKEN.get();
        return t == null ? "" : t;
    }
}
