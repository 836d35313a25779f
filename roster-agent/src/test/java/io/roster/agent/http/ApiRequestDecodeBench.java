package io.roster.agent.http;

import org.eclipse.jetty.http.HttpFields;

/**
 * What decoding a request's path and query costs per request, JMH-free: a few Consul-shaped
 * requests decoded in a loop, bounded in count, after a warm-up; prints ns per request. Not a test
 * (it asserts nothing); run it by hand, on a quiet machine, before and after a change to
 * {@link ApiRequest#of}:
 * {@code java -cp roster-agent/target/test-classes:roster-agent/target/classes:<deps> io.roster.agent.http.ApiRequestDecodeBench}.
 */
public final class ApiRequestDecodeBench {
    private static final String[][] REQUESTS = {
        {"/v1/kv/service/web/config", "recurse=true&index=1234&wait=5m"},
        {"/v1/health/service/web", "passing&index=98765&wait=30s&dc=dc1&tag=primary&tag=v2"},
        {"/v1/kv/a%2Fb%2Fc/d+e", "cas=17&flags=0"},
        {"/v1/catalog/services", null},
        {"/v1/health/service/web", "filter=Service.Meta.version%20%3D%3D%20%22v2%22&near=_agent"},
    };

    private ApiRequestDecodeBench() {
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 2_000_000;
        long sink = 0;
        for (int w = 0; w < n; w++) {
            sink += decode(w);
        }
        for (int r = 0; r < rounds; r++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                sink += decode(i);
            }
            long ns = System.nanoTime() - t0;
            System.out.printf("round %d: %.1f ns per request (%d requests)%n", r + 1, (double) ns / n, n);
        }
        System.out.println("(checksum " + sink + ")");
    }

    private static int decode(int i) {
        String[] q = REQUESTS[i % REQUESTS.length];
        ApiRequest r = ApiRequest.of("GET", q[0], q[1], HttpFields.EMPTY, ApiRequest.Body.of(new byte[0]));
        return r.path().length() + r.query().size();
    }
}
