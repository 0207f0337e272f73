package hostproxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code backendNetworks}: what its default leaves out, what lists mean, what the parser refuses. */
class BackendNetworksTest {
    private static BackendNetworks networks(String value) {
        return ProxyConfig.from(s -> s == Setting.BACKEND_NETWORKS ? value : null).backendNetworks();
    }

    /** An IP literal: never looked up. */
    private static InetAddress ip(String literal) throws UnknownHostException {
        return InetAddress.getByName(literal);
    }

    /** {@code ::ffff:a.b.c.d} as a 16-byte address, as dnsjava may hand over an AAAA record of that form. */
    private static InetAddress mapped(String ipv4) throws UnknownHostException {
        byte[] v4 = ip(ipv4).getAddress();
        byte[] v6 = new byte[16];
        v6[10] = (byte) 0xff;
        v6[11] = (byte) 0xff;
        System.arraycopy(v4, 0, v6, 12, 4);
        InetAddress a = Inet6Address.getByAddress(null, v6, null);
        assertEquals(16, a.getAddress().length, "a real IPv6 address, not converted to IPv4");
        return a;
    }

    @Test
    void theDefaultIsPublicAndPrivate() {
        assertEquals(networks(null), ProxyConfig.defaults().backendNetworks());
        assertEquals("public-and-private", ProxyConfig.defaults().backendNetworks().toString());
    }

    @ParameterizedTest
    @CsvSource({
            "127.0.0.1,loopback", "127.255.255.254,loopback", "::1,loopback",
            "169.254.169.254,link-local", "169.254.0.1,link-local", "fe80::1,link-local", "febf::1,link-local",
            "0.0.0.0,unspecified", "0.1.2.3,unspecified", "::,unspecified",
            "224.0.0.1,multicast", "239.255.255.250,multicast", "ff02::1,multicast",
            "255.255.255.255,broadcast"})
    void theDefaultRefusesLocalAddresses(String address, String range) throws Exception {
        assertFalse(networks(null).allows(ip(address)), address);
        assertEquals(range, LocalRange.of(ip(address)).description());
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.1", "172.17.0.2", "192.168.1.1", "100.64.0.1", "192.0.2.7", "126.255.255.255",
            "128.0.0.1", "169.253.255.255", "169.255.0.1", "1.0.0.0", "223.255.255.255", "255.255.255.254",
            "fd00::7", "2001:db8::1", "fec0::1", "::2"})
    void theDefaultAllowsPrivateAndPublicAddresses(String address) throws Exception {
        assertTrue(networks(null).allows(ip(address)), address);
    }

    @Test
    void anIpv4MappedIpv6AddressIsJudgedAsItsIpv4Address() throws Exception {
        assertFalse(networks(null).allows(mapped("127.0.0.1")));
        assertFalse(networks(null).allows(mapped("169.254.169.254")));
        assertFalse(networks(null).allows(mapped("0.0.0.0")));
        assertTrue(networks(null).allows(mapped("10.0.0.1")));
        assertTrue(networks("127.0.0.0/8").allows(mapped("127.0.0.9")));
        assertFalse(networks("10.0.0.0/8").allows(mapped("127.0.0.9")));
    }

    @Test
    void aListReplacesTheDefaultWholly() throws Exception {
        BackendNetworks loopback = networks("127.0.0.0/8");
        assertTrue(loopback.allows(ip("127.0.0.11")));
        assertFalse(loopback.allows(ip("10.0.0.1")), "the default's private ranges are gone");
        assertFalse(loopback.allows(ip("::1")), "IPv6 loopback is another block");
        BackendNetworks some = networks(" 10.1.0.0/16 , fd00::/8,192.0.2.7");
        assertTrue(some.allows(ip("10.1.2.3")));
        assertTrue(some.allows(ip("fd12::1")));
        assertTrue(some.allows(ip("192.0.2.7")));
        assertFalse(some.allows(ip("192.0.2.8")));
        assertFalse(some.allows(ip("10.2.0.1")));
    }

    @Test
    void theDefaultsNameAddsToOtherItems() throws Exception {
        BackendNetworks plusOne = networks("public-and-private, 127.0.0.1");
        assertTrue(plusOne.allows(ip("127.0.0.1")));
        assertTrue(plusOne.allows(ip("10.0.0.1")));
        assertFalse(plusOne.allows(ip("127.0.0.2")));
        assertFalse(plusOne.allows(ip("169.254.169.254")));
        assertEquals("public-and-private,127.0.0.1", plusOne.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"*", "0.0.0.0/0,::/0", " * "})
    void everythingCanBeAllowed(String value) throws Exception {
        for (String a : new String[] {"127.0.0.1", "::1", "169.254.169.254", "fe80::1", "0.0.0.0", "10.0.0.1"}) {
            assertTrue(networks(value).allows(ip(a)), value + " allows " + a);
        }
        assertTrue(networks(value).allows(mapped("127.0.0.1")));
    }

    @Test
    void theKeywordsTakeAnyCase() {
        assertEquals(networks("public-and-private"), networks("Public-And-Private"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "127.1", // inet_aton's short form of 127.0.0.1
            "0177.0.0.1", // octal 127.0.0.1 to C resolvers, 177.0.0.1 to Java: ambiguous
            "2130706433", // 127.0.0.1 as one number
            "0x7f.0.0.1", "127.0.0.1.", "999.1.1.1", "10.0.0.0/33", "::1/129", "[::1]", "fe80::1%eth0",
            "localhost", "public", "private", "public-and-private;127.0.0.1", "10.0.0.0/8 192.168.0.0/16"})
    void oddSpellingsAreRefusedNamingTheItem(String item) {
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> networks("10.0.0.0/8, " + item));
        assertEquals("hostproxy: invalid setting backendNetworks='10.0.0.0/8, " + item + "': expected "
                + "public-and-private, * or comma-separated CIDR blocks such as 127.0.0.0/8, 10.1.2.3, fd00::/8; '"
                + item + "' is none of these", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", " , "})
    void anEmptyListIsRefused(String value) {
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> networks(value));
        assertEquals("hostproxy: invalid setting backendNetworks='" + value.trim() + "': expected public-and-private "
                + "(the default), * (any address) or comma-separated CIDR blocks; empty would allow no backend",
                e.getMessage());
    }
}
