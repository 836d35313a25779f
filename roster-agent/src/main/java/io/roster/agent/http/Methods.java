package io.roster.agent.http;

import java.util.Set;

/** Method sets used in the route table. */
final class Methods {
    static final Set<String> GET = Set.of("GET", "HEAD");
    static final Set<String> PUT = Set.of("PUT");
    static final Set<String> PUT_POST = Set.of("PUT", "POST");
    static final Set<String> DELETE = Set.of("DELETE");
    static final Set<String> KV = Set.of("GET", "HEAD", "PUT", "POST", "DELETE");

    private Methods() {
    }
}
