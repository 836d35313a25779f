package io.roster.agent.net;

import static io.roster.agent.net.Fixtures.HOST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SockaddrTemplateTest {

    private static String eval(String t) {
        return SockaddrTemplate.evaluate(t, HOST);
    }

    @Test
    void theTemplatesConsulUsersWrite() {
        // Private: RFC 6890, forwardable, up; the default-route interface first, IPv4 before IPv6.
        assertThat(eval("{{ GetPrivateIP }}")).isEqualTo("10.1.2.3");
        assertThat(eval("{{ GetPrivateIPs }}")).isEqualTo("10.1.2.3 192.168.7.9");
        assertThat(eval("{{ GetPublicIP }}")).isEqualTo("2a00:1450::5"); // the default-route interface first
        // go-sockaddr counts all of 2001::/16 as RFC 6890 (special purpose), so only other IPv6 is public.
        assertThat(SockaddrTemplate.evaluate("{{ GetPublicIP }}", java.util.List.of(Fixtures.addr("eth0", "2001:4860::5", 64, true, "up"))))
                .isEmpty();
        assertThat(eval("{{ GetPublicIPs }}")).isEqualTo("2a00:1450::5 8.8.4.4");
        assertThat(eval("{{ GetInterfaceIP \"eth1\" }}")).isEqualTo("192.168.7.9");
        assertThat(eval("{{ GetInterfaceIP \"eth0\" }}")).isEqualTo("10.1.2.3");
        assertThat(eval("{{ GetInterfaceIPs \"eth0\" }}")).isEqualTo("10.1.2.3 2a00:1450::5");
        assertThat(eval("{{ GetPrivateInterfaces | attr \"address\" }}")).isEqualTo("10.1.2.3");
        assertThat(eval("{{ GetAllInterfaces | include \"network\" \"10.0.0.0/8\" | attr \"address\" }}")).isEqualTo("10.1.2.3");
        assertThat(eval("{{ GetAllInterfaces | include \"network\" \"10.0.0.0/8|192.168.0.0/16\" | join \"address\" \" \" }}"))
                .isEqualTo("10.1.2.3 192.168.7.9");
    }

    @Test
    void includeExcludeSortLimitJoin() {
        assertThat(eval("{{ GetAllInterfaces | include \"name\" \"^eth\" | include \"type\" \"ipv4\" | join \"address\" \",\" }}"))
                .isEqualTo("10.1.2.3,192.168.7.9,8.8.4.4");
        assertThat(eval("{{ GetAllInterfaces | exclude \"type\" \"IPv6\" | exclude \"flags\" \"loopback\" | join \"name\" \" \" }}"))
                .isEqualTo("eth0 eth1 eth2 docker0");
        assertThat(eval("{{ GetAllInterfaces | include \"flag\" \"loopback\" | join \"address\" \" \" }}")).isEqualTo("127.0.0.1 ::1");
        assertThat(eval("{{ GetAllInterfaces | include \"flags\" \"up|broadcast\" | include \"type\" \"IPv4\" | limit 2 | join \"address\" \" \" }}"))
                .isEqualTo("10.1.2.3 192.168.7.9");
        assertThat(eval("{{ GetAllInterfaces | exclude \"flags\" \"up\" | attr \"name\" }}")).isEqualTo("docker0");
        assertThat(eval("{{ GetAllInterfaces | include \"type\" \"ipv4\" | sort \"-address\" | attr \"address\" }}")).isEqualTo("192.168.7.9");
        assertThat(eval("{{ GetAllInterfaces | include \"type\" \"ipv4\" | sort \"+address\" | attr \"address\" }}")).isEqualTo("8.8.4.4");
        assertThat(eval("{{ GetAllInterfaces | include \"type\" \"ipv4\" | sort \"size,name\" | join \"name\" \" \" }}"))
                .isEqualTo("lo docker0 eth1 eth0 eth2");
        assertThat(eval("{{ GetAllInterfaces | include \"type\" \"ipv4\" | offset \"-1\" | attr \"address\" }}")).isEqualTo("172.17.0.1");
        assertThat(eval("{{ GetAllInterfaces | include \"rfc\" \"1918\" | unique \"name\" | join \"name\" \" \" }}"))
                .isEqualTo("eth0 eth1 docker0");
        assertThat(eval("{{ GetDefaultInterfaces | include \"type\" \"ipv4\" | attr \"network\" }}/{{ GetDefaultInterfaces | attr \"size\" }}"))
                .isEqualTo("10.1.2.0/24");
    }

    @Test
    void textAroundActionsIsKeptAndTrimMarkersWork() {
        assertThat(eval("127.0.0.1 {{ GetPrivateIP }}")).isEqualTo("127.0.0.1 10.1.2.3");
        assertThat(eval("a  {{- GetPrivateIP -}}  b")).isEqualTo("a10.1.2.3b");
        assertThat(eval("10.0.0.9")).isEqualTo("10.0.0.9");
    }

    @Test
    void aTemplateThatFindsNothingYieldsEmptyText() {
        assertThat(eval("{{ GetInterfaceIP \"wlan9\" }}")).isEmpty();
        assertThat(eval("{{ GetAllInterfaces | include \"network\" \"203.0.113.0/24\" | attr \"address\" }}")).isEmpty();
        // go-sockaddr's "forwardable" leaves out loopback: GetInterfaceIP "lo" finds nothing, as in Consul.
        assertThat(eval("{{ GetInterfaceIP \"lo\" }}")).isEmpty();
    }

    @Test
    void mistakesGetOneLineReasons() {
        assertThatThrownBy(() -> eval("{{ GetPrivateIPz }}")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("unknown function \"GetPrivateIPz\" in template '{{ GetPrivateIPz }}'")
                .hasMessageNotContaining("\n");
        assertThatThrownBy(() -> eval("{{ GetPrivateIP")).hasMessage("unclosed '{{' in template '{{ GetPrivateIP'");
        assertThatThrownBy(() -> eval("{{ GetAllInterfaces | include \"colour\" \"red\" }}"))
                .hasMessageStartingWith("unknown selector \"colour\"");
        assertThatThrownBy(() -> eval("{{ GetAllInterfaces | attr \"mtu\" }}")).hasMessageStartingWith("unknown attribute \"mtu\"");
        assertThatThrownBy(() -> eval("{{ include \"name\" \"eth0\" }}"))
                .hasMessageStartingWith("include needs a list of addresses piped into it");
        assertThatThrownBy(() -> eval("{{ GetAllInterfaces | include \"network\" \"10.0.0.0/99\" }}"))
                .hasMessageStartingWith("invalid network '10.0.0.0/99'");
        assertThatThrownBy(() -> eval("{{ GetAllInterfaces | sort \"colour\" }}")).hasMessageStartingWith("unknown sort key \"colour\"");
        assertThatThrownBy(() -> eval("{{ GetAllInterfaces | include \"flag\" \"shiny\" }}")).hasMessageStartingWith("unknown flag \"shiny\"");
        assertThatThrownBy(() -> eval("{{ }}")).hasMessageStartingWith("empty action");
        assertThatThrownBy(() -> eval("{{ GetInterfaceIP }}")).hasMessageStartingWith("GetInterfaceIP takes 1 argument(s), not 0");
    }

    @Test
    void theHostsOwnInterfacesCanBeRead() {
        // Every host has a loopback address; nothing is asserted about the others.
        assertThat(SockaddrTemplate.evaluate("{{ GetAllInterfaces | include \"flag\" \"loopback\" | include \"type\" \"ipv4\" | attr \"address\" }}",
                Interfaces.system())).startsWith("127.");
    }
}
