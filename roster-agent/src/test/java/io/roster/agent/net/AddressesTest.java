package io.roster.agent.net;

import static io.roster.agent.net.Fixtures.HOST;
import static io.roster.agent.net.Fixtures.LOOPBACK_ONLY;
import static io.roster.agent.net.Fixtures.addr;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.roster.agent.AgentConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

class AddressesTest {
    private static final List<IfAddr> ONE_PRIVATE = List.of(
            addr("lo", "127.0.0.1", 8, false, "up", "loopback"),
            addr("eth0", "10.9.8.7", 24, true, "up", "broadcast"),
            addr("eth0", "fe80::2", 64, true, "up", "broadcast"),
            addr("eth9", "10.200.0.1", 24, false, "broadcast")); // down: not counted

    private static AgentConfig.Builder on(List<IfAddr> ifs) {
        return AgentConfig.builder().interfaces(() -> ifs);
    }

    @Test
    void aWildcardBindAdvertisesTheOnlyPrivateIpv4() {
        AgentConfig c = on(ONE_PRIVATE).build();
        assertThat(c.bindAddr()).isEqualTo("0.0.0.0");
        assertThat(c.advertiseAddr()).isEqualTo("10.9.8.7");
        assertThat(c.advertiseAddrWan()).isEqualTo("10.9.8.7");
        assertThat(c.clientAddr()).isEqualTo("127.0.0.1");
        assertThat(c.network().httpAddrs()).containsExactly("127.0.0.1");
        assertThat(c.network().dnsAddrs()).containsExactly("127.0.0.1");
    }

    @Test
    void severalPrivateAddressesAreRefusedNamingThem() {
        AgentConfig c = on(HOST).build(); // the configuration reads; the address is asked for at start
        assertThatThrownBy(c::advertiseAddr).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Multiple private IPv4 addresses found (10.1.2.3, 192.168.7.9). Please configure one with"
                        + " 'bind' and/or 'advertise'.");
        // Either setting picks one, as in Consul.
        assertThat(on(HOST).bindAddr("192.168.7.9").build().advertiseAddr()).isEqualTo("192.168.7.9");
        assertThat(on(HOST).advertiseAddr("10.1.2.3").build().advertiseAddr()).isEqualTo("10.1.2.3");
    }

    @Test
    void aLoopbackOnlyHostAdvertisesLoopbackAsConsulDoes() {
        // Consul's detection takes loopback addresses when no other interface is up (127/8 is in its private list).
        assertThat(on(LOOPBACK_ONLY).build().advertiseAddr()).isEqualTo("127.0.0.1");
    }

    @Test
    void noPrivateAddressIsAnError() {
        List<IfAddr> publicOnly = List.of(addr("lo", "127.0.0.1", 8, false, "up", "loopback"),
                addr("eth0", "192.0.2.2", 24, true, "up"));
        assertThatThrownBy(() -> on(publicOnly).build().advertiseAddr())
                .hasMessage("No private IPv4 address found: set bind_addr (-bind) or advertise_addr (-advertise)");
    }

    @Test
    void advertiseDiffersFromBindAndWanFromLan() {
        AgentConfig c = on(HOST).bindAddr("127.0.0.2").advertiseAddr("127.0.0.5").advertiseAddrWan("203.0.113.9").build();
        assertThat(c.bindAddr()).isEqualTo("127.0.0.2");
        assertThat(c.advertiseAddr()).isEqualTo("127.0.0.5");
        assertThat(c.advertiseAddrWan()).isEqualTo("203.0.113.9");
    }

    @Test
    void templatesInEveryAddressSetting() {
        AgentConfig c = on(HOST).bindAddr("{{ GetInterfaceIP \"eth1\" }}")
                .advertiseAddr("{{ GetAllInterfaces | include \"network\" \"10.0.0.0/8\" | attr \"address\" }}")
                .clientAddr("127.0.0.1 {{ GetPrivateIPs }}")
                .dnsAddr("{{ GetPrivateInterfaces | include \"type\" \"ipv4\" | limit 1 | attr \"address\" }}")
                .build();
        assertThat(c.bindAddr()).isEqualTo("192.168.7.9");
        assertThat(c.advertiseAddr()).isEqualTo("10.1.2.3");
        assertThat(c.network().clientAddrs()).containsExactly("127.0.0.1", "10.1.2.3", "192.168.7.9");
        assertThat(c.clientAddr()).isEqualTo("127.0.0.1");
        assertThat(c.network().httpAddrs()).containsExactly("127.0.0.1", "10.1.2.3", "192.168.7.9");
        assertThat(c.network().dnsAddrs()).containsExactly("10.1.2.3");
        // toBuilder keeps the templates, so a reload evaluates them again.
        assertThat(c.toBuilder().interfaces(() -> HOST).build().network().given().bindAddr()).isEqualTo("{{ GetInterfaceIP \"eth1\" }}");
    }

    @Test
    void addressSettingsThatCannotWork() {
        assertThatThrownBy(() -> on(HOST).bindAddr("{{ GetInterfaceIP \"wlan0\" }}").build())
                .hasMessage("bind_addr cannot be empty: the template '{{ GetInterfaceIP \"wlan0\" }}' yields nothing");
        assertThatThrownBy(() -> on(HOST).bindAddr("{{ GetPrivateIPs }}").build())
                .hasMessage("bind_addr cannot contain multiple addresses (10.1.2.3 192.168.7.9). Use 'addresses.{dns,http,https}' instead.");
        assertThatThrownBy(() -> on(HOST).advertiseAddr("::").build()).hasMessage("Advertise address cannot be 0.0.0.0, :: or [::]");
        assertThatThrownBy(() -> on(HOST).advertiseAddrWan("0.0.0.0").build())
                .hasMessage("Advertise WAN address cannot be 0.0.0.0, :: or [::]");
        assertThatThrownBy(() -> on(HOST).advertiseAddr("{{ GetInterfaceIP \"wlan0\" }}").build())
                .hasMessage("advertise_addr gives no address: the template '{{ GetInterfaceIP \"wlan0\" }}' yields nothing");
        assertThatThrownBy(() -> on(HOST).clientAddr("127.0.0.1 db.local").build())
                .hasMessage("client_addr: 'db.local' is not an IP address");
        assertThatThrownBy(() -> on(HOST).httpAddr("{{ GetInterfaceIP \"nope\" }}").build())
                .hasMessage("addresses.http gives no address: the template '{{ GetInterfaceIP \"nope\" }}' yields nothing");
        assertThatThrownBy(() -> on(HOST).clientAddr("{{ Nope }}").build()).hasMessageStartingWith("client_addr: unknown function \"Nope\"");
    }

    @Test
    void devModeBindsLoopback() {
        AgentConfig c = on(HOST).dev(true).build();
        assertThat(c.bindAddr()).isEqualTo("127.0.0.1");
        assertThat(c.advertiseAddr()).isEqualTo("127.0.0.1");
    }

    @Test
    void anIpv6WildcardAdvertisesThePublicIpv6() {
        assertThat(on(HOST).bindAddr("::").build().advertiseAddr()).isEqualTo("2a00:1450::5");
        assertThat(on(HOST).bindAddr("[::]").build().advertiseAddr()).isEqualTo("2a00:1450::5");
    }
}
