package io.roster.agent.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.agent.dns.QueryName.Kind;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The name forms of Consul's DNS documentation, parsed without a server. */
class QueryNameTest {

    private static QueryName parse(String relative) {
        List<String> labels = relative.isEmpty() ? List.of() : Arrays.asList(relative.split("\\."));
        return QueryName.parse(labels);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(nullValues = "-", value = {
        // name under the domain,         kind,    dc,   service, tag,     node / addr / query
        "'',                              APEX,    -,    -,       -,       -",
        "web.service,                     SERVICE, -,    web,     -,       -",
        "web.service.dc1,                 SERVICE, dc1,  web,     -,       -",
        "web.service.dc1.dc,              SERVICE, dc1,  web,     -,       -",
        "primary.web.service,             SERVICE, -,    web,     primary, -",
        "primary.web.service.east,        SERVICE, east, web,     primary, -",
        "a.b.web.service,                 SERVICE, -,    web,     a.b,     -",
        "_web._tcp.service,               SERVICE, -,    web,     -,       -",
        "_web._tcp.service.dc1,           SERVICE, dc1,  web,     -,       -",
        "_web._amqp.service,              SERVICE, -,    web,     amqp,    -",
        "_web._tcp,                       SERVICE, -,    web,     -,       -",
        "_web._tcp.dc2,                   SERVICE, dc2,  web,     -,       -",
        "_web._tcp.dc2.dc,                SERVICE, dc2,  web,     -,       -",
        "web.service.default.ns.default.ap.dc1.dc, SERVICE, dc1, web, -,   -",
        "n1.node,                         NODE,    -,    -,       -,       n1",
        "n1.node.dc1,                     NODE,    dc1,  -,       -,       n1",
        "host.example.node,               NODE,    -,    -,       -,       host.example",
        "7f000001.addr,                   ADDR,    -,    -,       -,       7f000001",
        "7f000001.addr.dc1,               ADDR,    dc1,  -,       -,       7f000001",
        "q.query,                         QUERY,   -,    -,       -,       q",
        "web.connect,                     UNSUPPORTED, -, -,      -,       -",
        "web.service.team.ns,             UNSUPPORTED, -, -,      -,       -",
        "web.service.phx1.peer,           UNSUPPORTED, -, -,      -,       -",
        "service,                         INVALID, -,    -,       -,       -",
        "web,                             INVALID, -,    -,       -,       -",
        "web.nothing,                     INVALID, -,    -,       -,       -",
        "a.b.addr,                        INVALID, -,    -,       -,       -",
        "web.service.a.dc.b.dc,           INVALID, -,    -,       -,       -",
    })
    void parses(String name, Kind kind, String dc, String service, String tag, String other) {
        QueryName q = parse(name);
        assertThat(q.kind()).isEqualTo(kind);
        if (kind == Kind.INVALID || kind == Kind.UNSUPPORTED) {
            return;
        }
        assertThat(q.datacenter()).isEqualTo(dc);
        assertThat(q.service()).isEqualTo(service);
        assertThat(q.tag()).isEqualTo(tag);
        String actual = switch (kind) {
            case NODE -> q.node();
            case ADDR -> q.addr();
            case QUERY -> q.query();
            default -> null;
        };
        assertThat(actual).isEqualTo(other);
    }
}
