package hostproxy.routing;

import java.util.List;

/**
 * Recognises a request that has already passed through this proxy instance, by its own token in
 * a {@code Via} header (RFC 9110 §7.6.3: {@code Via: 1.1 hostproxy-3f2a9c1e}). Without it, a route
 * or DNS name that points back at the proxy would multiply one request until something breaks.
 */
public final class LoopGuard {
    private final String token;

    /** @param token this instance's received-by pseudonym, e.g. {@code hostproxy-3f2a9c1e} */
    public LoopGuard(String token) {
        this.token = token;
    }

    public String token() {
        return token;
    }

    boolean seenIn(List<String> viaHeaders) {
        for (String header : viaHeaders) {
            for (String element : header.split(",")) {
                // element: received-protocol SP received-by [ SP comment ]
                String[] parts = element.trim().split("\\s+");
                if (parts.length >= 2 && parts[1].equalsIgnoreCase(token)) {
                    return true;
                }
            }
        }
        return false;
    }
}
