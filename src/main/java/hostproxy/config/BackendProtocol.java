package hostproxy.config;

import java.util.Locale;

/**
 * The HTTP version hostproxy speaks to a backend, chosen by the word its target (or
 * {@code backendScheme}) is written with: {@code http} and {@code https} for HTTP/1.1, {@code h2c}
 * (HTTP/2 over cleartext with prior knowledge, RFC 9113 §3.3) and {@code h2} (HTTP/2 over TLS,
 * chosen by ALPN, RFC 9113 §3.2) for HTTP/2.
 *
 * <p>A protocol beside the scheme, never a scheme of its own: the request's scheme stays
 * {@code http} or {@code https} for everything else ({@code :scheme}, {@code X-Forwarded-Proto},
 * redirect rewriting, health checks), so an {@code h2c} target is an {@code http} one reached over HTTP/2.
 */
public enum BackendProtocol {
    HTTP_1_1("http", "https"),
    HTTP_2("h2c", "h2");

    private final String plainWord;
    private final String tlsWord;

    BackendProtocol(String plainWord, String tlsWord) {
        this.plainWord = plainWord;
        this.tlsWord = tlsWord;
    }

    /** How a route writes this protocol over {@code scheme} ({@code http} or {@code https}): {@code h2c}, {@code https}, ... */
    public String word(String scheme) {
        return scheme.equals("https") ? tlsWord : plainWord;
    }

    /**
     * A scheme word as settings and routes take it, case-insensitive.
     *
     * @return {@code null} for none of {@code http}, {@code https}, {@code h2c}, {@code h2}
     */
    static Scheme parse(String word) {
        String w = word.toLowerCase(Locale.ROOT);
        for (BackendProtocol p : values()) {
            if (w.equals(p.plainWord)) {
                return new Scheme("http", p);
            }
            if (w.equals(p.tlsWord)) {
                return new Scheme("https", p);
            }
        }
        return null;
    }

    /** What a scheme word says: the request's scheme, and the protocol beside it. */
    record Scheme(String scheme, BackendProtocol protocol) {
    }

    /** The words, for messages that list them. */
    static final String WORDS = "http, https, h2c (HTTP/2 without TLS, prior knowledge) or h2 (HTTP/2 over TLS)";
}
