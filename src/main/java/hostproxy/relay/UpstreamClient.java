package hostproxy.relay;

import hostproxy.config.ProxyConfig;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/** Builds the one HttpClient all exchanges share, set up to relay rather than to browse. */
public final class UpstreamClient {
    private UpstreamClient() {
    }

    public static CloseableHttpClient create(ProxyConfig config) {
        Timeout connect = Timeout.of(config.connectTimeout());
        Timeout response = Timeout.of(config.responseTimeout());
        ConnectionConfig connections = ConnectionConfig.custom()
                .setConnectTimeout(connect)
                .setSocketTimeout(response)
                // A pooled connection idle this long is checked before reuse: backends close idle
                // keep-alive connections on their own schedule.
                .setValidateAfterInactivity(TimeValue.ofSeconds(2))
                .build();
        return HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setMaxConnPerRoute(config.maxConnectionsPerBackend())
                        .setMaxConnTotal(config.maxConnections())
                        .setDefaultConnectionConfig(connections)
                        .build())
                .setDefaultRequestConfig(RequestConfig.custom()
                        // Waiting for a free pooled connection is bounded like connecting.
                        .setConnectionRequestTimeout(connect)
                        .setResponseTimeout(response)
                        .build())
                // A redirect is the client's to follow, with its own cookies and credentials.
                .disableRedirectHandling()
                // A retry is never hidden: only the upstream layer decides what is safe to resend.
                .disableAutomaticRetries()
                // Bodies and their Content-Length pass exactly as the backend sent them.
                .disableContentCompression()
                // Cookies belong to each client; a shared store would hand one user's to another.
                .disableCookieManagement()
                // Credentials are the client's business, per request.
                .disableAuthCaching()
                // Pooled connections are not tied to a user identity (no NTLM-style state).
                .disableConnectionState()
                // The client's User-Agent, or none, passes unchanged.
                .disableDefaultUserAgent()
                .build();
    }
}
