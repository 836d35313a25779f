package io.roster.agent.checks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Alias checks mirror what the resolver reports for the aliased service or node. */
class AliasCheckTest extends ChecksTest {
    private final Map<String, String> health = new ConcurrentHashMap<>();
    private final List<String> asked = new CopyOnWriteArrayList<>();

    @Override
    CheckRunners.Options options() {
        return new CheckRunners.Options(false, 4096, (node, service) -> {
            String key = node + "/" + service;
            asked.add(key);
            return health.get(key);
        });
    }

    @Test
    void mirrorsTheAliasedServiceAsItChanges() {
        health.put("null/web", CheckStatus.PASSING);
        runners.start("web-alias", Def.aliasService(null, "web").build());
        awaitStatus("web-alias", CheckStatus.PASSING);
        assertThat(sink.output("web-alias")).isEqualTo("All checks passing.");

        health.put("null/web", CheckStatus.WARNING);
        awaitStatus("web-alias", CheckStatus.WARNING);
        assertThat(sink.output("web-alias")).isEqualTo("Aliased service \"web\" is warning.");

        health.put("null/web", CheckStatus.CRITICAL);
        awaitStatus("web-alias", CheckStatus.CRITICAL);

        health.remove("null/web");
        awaitStatus("web-alias", CheckStatus.CRITICAL);
        org.awaitility.Awaitility.await().atMost(AWAIT).until(() -> "No checks found.".equals(sink.output("web-alias")));
        assertThat(sink.statuses("web-alias")).containsExactly("passing", "warning", "critical", "critical");
    }

    @Test
    void aNodeAliasAsksForTheNode() {
        health.put("db-1/null", CheckStatus.CRITICAL);
        runners.start("node-alias", Def.aliasService("db-1", null).build());
        awaitStatus("node-alias", CheckStatus.CRITICAL);
        assertThat(sink.output("node-alias")).isEqualTo("Aliased node \"db-1\" is critical.");
        assertThat(asked).contains("db-1/null");
    }

    @Test
    void aResolverFailureIsCritical() {
        CheckRunners failing = runners(new CheckRunners.Options(false, 4096, (n, s) -> {
            throw new IllegalStateException("catalog unreachable");
        }));
        try {
            failing.start("a", Def.aliasService(null, "web").build());
            awaitStatus("a", CheckStatus.CRITICAL);
            assertThat(sink.output("a")).isEqualTo("Failure checking aliased node or service: catalog unreachable");
        } finally {
            failing.close();
        }
    }

    @Test
    void aliasChecksNeedAResolver() {
        CheckRunners none = runners(CheckRunners.Options.defaults());
        try {
            assertThatThrownBy(() -> none.start("a", Def.aliasService(null, "web").build()))
                    .isInstanceOf(IllegalStateException.class);
        } finally {
            none.close();
        }
    }
}
