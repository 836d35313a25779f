package io.roster.agent.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.roster.agent.acl.Rules;
import io.roster.agent.acl.TokenCache;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code ResolveToken} envelopes: what a server encodes is what a client decodes; bad bytes are refused. */
class ResolveTokenWireTest {
    @Test
    void aTokensRulesSurviveTheWire() throws Exception {
        List<Rules.Rule> rules = Rules.parse("key_prefix \"app/\" { policy = \"write\" }\nservice \"web\" { policy = \"deny\" }\n"
                + "node_prefix \"\" { policy = \"read\" }\noperator = \"read\"");
        TokenCache.Effective e = new TokenCache.Effective("b2d030e3-3bf6-4dcc-a1da-01934da623c5", false, rules);
        assertThat(RpcProtocol.decodeToken(RpcProtocol.encodeToken(e))).isEqualTo(e);
        TokenCache.Effective m = new TokenCache.Effective("00000000-0000-0000-0000-000000000001", true, List.of());
        assertThat(RpcProtocol.decodeToken(RpcProtocol.encodeToken(m))).isEqualTo(m);
        assertThat(RpcProtocol.decodeToken(RpcProtocol.encodeToken(null))).isNull();
        assertThat(RpcProtocol.decodeSecret(RpcProtocol.encodeSecret("s3cr3t-ü"))).isEqualTo("s3cr3t-ü");
    }

    @Test
    void truncatedOrUnknownEnvelopesAreRefused() {
        byte[] wire = RpcProtocol.encodeToken(new TokenCache.Effective("a", false,
                List.of(new Rules.Rule("key", "x", true, Rules.Access.READ))));
        assertThatThrownBy(() -> RpcProtocol.decodeToken(Arrays.copyOf(wire, wire.length - 3))).isInstanceOf(java.io.IOException.class);
        byte[] badLevel = wire.clone();
        badLevel[badLevel.length - 1] = 9;
        assertThatThrownBy(() -> RpcProtocol.decodeToken(badLevel)).hasMessageContaining("access level");
        byte[] newer = wire.clone();
        newer[0] = 7;
        assertThatThrownBy(() -> RpcProtocol.decodeToken(newer)).hasMessageContaining("version");
    }

    @Test
    void aDnsQuestionCarriesTheClientsDefaultTokenOnlyWhenItHasOne() throws Exception {
        byte[] q = {1, 2, 3};
        RpcProtocol.DnsRequest without = RpcProtocol.DnsRequest.decode(RpcProtocol.encodeDns(q, true));
        assertThat(without.tcp()).isTrue();
        assertThat(without.query()).containsExactly(1, 2, 3);
        assertThat(without.token()).isEmpty();
        assertThat(RpcProtocol.encodeDns(q, false, "")).containsExactly(RpcProtocol.encodeDns(q, false));
        RpcProtocol.DnsRequest with = RpcProtocol.DnsRequest.decode(RpcProtocol.encodeDns(q, false, "tok"));
        assertThat(with.tcp()).isFalse();
        assertThat(with.token()).isEqualTo("tok");
    }
}
