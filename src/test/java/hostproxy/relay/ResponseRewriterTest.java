package hostproxy.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import hostproxy.config.BackendTarget;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ResponseRewriterTest {
    private static final ResponseRewriter BASE = new ResponseRewriter(new BackendTarget("http", "app", 8080, "/base"),
            "https", "app.example.com");

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "http://app:8080/base/home|https://app.example.com/home",
            "http://APP:8080/base|https://app.example.com/",
            "http://app:8080/base?x=1|https://app.example.com/?x=1",
            "http://app:8080/elsewhere|https://app.example.com/elsewhere",
            "//app:8080/base/x|https://app.example.com/x",
            "/base/login?next=%2F|/login?next=%2F",
            "/base|/",
            "/basement|/basement",
            "/other|/other",
            "http://app.example.com/base/x|http://app.example.com/x",
            "https://app.example.com/other|https://app.example.com/other",
            "http://app:9090/base/x|http://app:9090/base/x",
            "http://app/base/x|http://app/base/x",
            "https://elsewhere.example/base/x|https://elsewhere.example/base/x",
            "home|home"})
    void locationsOfTheBackendBecomePublic(String from, String to) {
        assertEquals(to, BASE.url(from));
        assertEquals(List.of(new HeaderField("Location", to), new HeaderField("Content-Location", to)),
                BASE.rewrite(List.of(new HeaderField("Location", from), new HeaderField("Content-Location", from))));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "5; url=http://app:8080/base/x|5; url=https://app.example.com/x",
            "0;URL='/base/y'|0;URL='/y'",
            "3|3",
            "1; url=https://other.example/base|1; url=https://other.example/base"})
    void refreshUrlsToo(String from, String to) {
        assertEquals(to, BASE.refresh(from));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "sid=1; Path=/base; HttpOnly|sid=1; Path=/; HttpOnly",
            "sid=1; path=/base/admin; Secure|sid=1; path=/admin; Secure",
            "sid=1; Path=/other|sid=1; Path=/other",
            "sid=1; Domain=app; Path=/base/|sid=1; Domain=app.example.com; Path=/",
            "sid=1; Domain=.app|sid=1; Domain=app.example.com",
            "sid=1; Domain=example.org|sid=1; Domain=example.org",
            "sid=/base; Max-Age=5|sid=/base; Max-Age=5"})
    void cookiePathsAndDomainsToo(String from, String to) {
        assertEquals(to, BASE.cookie(from));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "http://api-v2:9000/x|http://app.example.com:8000/x",
            "/x|/x"})
    void withoutABasePathOnlyTheBackendsAuthorityChanges(String from, String to) {
        ResponseRewriter noBase = new ResponseRewriter(new BackendTarget("http", "api-v2", 9000, ""), "http",
                "app.example.com:8000");
        assertEquals(to, noBase.url(from));
    }
}
