package rehearsal;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Downloads and uploads over HTTP/2 (h2c) with the JDK's client, each a stream on a connection
 * shared by several threads; checked as {@link Http1Exchanges} checks them. The client upgrades
 * its connection with a small first request, so that every exchange after it is a stream.
 */
final class Http2Exchanges {
    private final Outcomes outcomes;
    private final HttpClient client;
    private final String base;

    Http2Exchanges(Outcomes outcomes, int proxyPort) throws IOException, InterruptedException {
        this.outcomes = outcomes;
        this.base = "://" + "%s.rehearsal.test:" + proxyPort;
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).connectTimeout(Duration.ofSeconds(10)).build();
        HttpResponse<String> first = client.send(request("app", "/health", "h2-upgrade").build(), HttpResponse.BodyHandlers.ofString());
        if (first.version() != HttpClient.Version.HTTP_2) {
            throw new IOException("the proxy did not upgrade the connection to HTTP/2: " + first.version());
        }
    }

    private HttpRequest.Builder request(String host, String target, String id) {
        return HttpRequest.newBuilder(URI.create("http" + String.format(base, host) + target))
                .header("X-Request-Id", id).timeout(Duration.ofSeconds(90));
    }

    void get(String host, long size) {
        String id = outcomes.newId("h2get");
        long start = System.currentTimeMillis();
        try {
            HttpResponse<InputStream> r = client.send(request(host, "/data?size=" + size, id).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = r.body()) {
                if (r.statusCode() != 200) {
                    String reason = new String(body.readNBytes(300), StandardCharsets.UTF_8).lines().findFirst().orElse("");
                    outcomes.record("h2get", id, host, start, "failed", r.statusCode(), "status " + r.statusCode() + ": " + reason, 0);
                    return;
                }
                Content.Check check = new Content.Check(id);
                byte[] buffer = new byte[16 * 1024];
                for (int n; (n = body.read(buffer)) >= 0; ) {
                    check.accept(buffer, 0, n);
                }
                judge("h2get", id, host, start, r, check.exact(size), check.difference(size), check.received());
            }
        } catch (IOException e) { // a reset stream, a dropped connection: visibly broken
            outcomes.record("h2get", id, host, start, "failed", 0, Http1Exchanges.describe(e), 0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    void post(String host, long size) {
        String id = outcomes.newId("h2post");
        long start = System.currentTimeMillis();
        byte[] body = new byte[(int) size];
        new Content(id).next(body, 0, body.length);
        Content.Digest digest = new Content.Digest();
        digest.accept(body, 0, body.length);
        try {
            HttpResponse<String> r = client.send(request(host, "/upload", id)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                String reason = r.body().lines().findFirst().orElse("");
                outcomes.record("h2post", id, host, start, "failed", r.statusCode(), "status " + r.statusCode() + ": " + reason, size);
                return;
            }
            String expected = "bytes=" + size + " sha256=" + digest.hex() + "\n";
            judge("h2post", id, host, start, r, expected.equals(r.body()), "the backend got " + r.body().trim(), size);
        } catch (IOException e) {
            outcomes.record("h2post", id, host, start, "failed", 0, Http1Exchanges.describe(e), size);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The stream ended as framed (the client would have thrown otherwise): the id and the bytes decide. */
    private void judge(String kind, String id, String host, long start, HttpResponse<?> r, boolean exact, String difference, long bytes) {
        String echo = r.headers().firstValue("x-echo-id").orElse(null);
        if (r.version() != HttpClient.Version.HTTP_2) {
            outcomes.record(kind, id, host, start, "failed", r.statusCode(), "answered over " + r.version(), bytes);
        } else if (!id.equals(echo)) {
            outcomes.record(kind, id, host, start, "mixup", 200, "the answer names request " + echo, bytes);
        } else if (!exact) {
            outcomes.record(kind, id, host, start, "mixup", 200, "complete-looking but " + difference, bytes);
        } else {
            outcomes.record(kind, id, host, start, "ok", 200, r.headers().firstValue("x-replica").orElse(""), bytes);
        }
    }
}
