package hostproxy.upstream;

import java.net.InetAddress;
import java.util.List;

/** What DNS said of a name. */
sealed interface Resolution {
    /** The name has these addresses (A and AAAA records, or the hosts file). */
    record Found(List<InetAddress> addresses) implements Resolution {
    }

    /** The name does not exist, or has no address (NXDOMAIN, or NOERROR without A or AAAA). */
    record NotFound() implements Resolution {
    }

    /** No usable answer: server unreachable, timeout, SERVFAIL, REFUSED. Says nothing about the name. */
    record Failed(String reason) implements Resolution {
    }
}
