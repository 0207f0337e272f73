package hostproxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hostproxy.relay.Exchange;
import hostproxy.relay.ProxyError;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one place that writes an error response, with a recording stand-in for the servlet response. */
class ErrorResponsesTest {
    private static final Exchange EXCHANGE = new Exchange(1, "GET", "/");
    private final Map<String, String> headers = new HashMap<>();
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private int status;

    private HttpServletResponse response() {
        ServletOutputStream out = new ServletOutputStream() {
            @Override
            public void write(int b) {
                body.write(b);
            }

            @Override
            public boolean isReady() {
                return true;
            }

            @Override
            public void setWriteListener(WriteListener listener) {
            }
        };
        return (HttpServletResponse) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {HttpServletResponse.class}, (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "setStatus" -> status = (Integer) args[0];
                        case "setHeader" -> headers.put((String) args[0], (String) args[1]);
                        case "setContentType" -> headers.put("Content-Type", (String) args[0]);
                        case "getOutputStream" -> {
                            return out;
                        }
                        case "isCommitted" -> {
                            return false;
                        }
                        default -> {
                        }
                    }
                    return null;
                });
    }

    private static HttpServletRequest request(String accept, String protocol) {
        return (HttpServletRequest) Proxy.newProxyInstance(ErrorResponsesTest.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getHeader" -> "Accept".equalsIgnoreCase((String) args[0]) ? accept : null;
                    case "getProtocol" -> protocol;
                    case "isAsyncStarted" -> false;
                    default -> null;
                });
    }

    /** Answers as the servlet does: the response's head set, its body written. */
    private void send(Exchange exchange, String client, ProxyError error, HttpServletRequest request, ErrorPages pages,
            HttpServletResponse response) {
        body.writeBytes(ErrorResponses.answer(exchange, client, error, request, pages, response));
    }

    private static HttpServletRequest request(String accept) {
        return request(accept, "HTTP/1.1");
    }

    @Test
    void everyAddressOutIs503WithRetryAfter() {
        send(EXCHANGE, "192.0.2.1", ProxyError.unavailable("backend api has no healthy address", 5), request("*/*"),
                ErrorPages.load(""), response());
        assertEquals(503, status);
        assertEquals("5", headers.get("Retry-After"));
        assertEquals("backend api has no healthy address\n", body.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aBrowserGetsHtmlAndOthersPlainText() {
        send(EXCHANGE, "192.0.2.1", new ProxyError(404, "no service for this host"), request("text/html"),
                ErrorPages.load(""), response());
        assertEquals("text/html;charset=UTF-8", headers.get("Content-Type"));
        assertTrue(body.toString(StandardCharsets.UTF_8).contains("<h1>404 Not Found</h1>"));
        assertNull(headers.get("Retry-After"));
        assertEquals("Accept", headers.get("Vary"));
    }

    @Test
    void a413ClosesTheConnection() {
        send(EXCHANGE, "192.0.2.1", new ProxyError(413, "request body larger than 1024 bytes"),
                request(null), ErrorPages.load(""), response());
        assertEquals("close", headers.get("Connection"));
        assertEquals("text/plain;charset=UTF-8", headers.get("Content-Type"));
    }

    /** RFC 9113 §8.2.2: HTTP/2 has no connection-specific fields; a client must reject a response with one. */
    @Test
    void a413OverHttp2CarriesNoConnectionField() {
        send(EXCHANGE, "192.0.2.1", new ProxyError(413, "request body larger than 1024 bytes"),
                request(null, "HTTP/2.0"), ErrorPages.load(""), response());
        assertEquals(413, status);
        assertNull(headers.get("Connection"));
    }
}
