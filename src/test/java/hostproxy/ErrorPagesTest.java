package hostproxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ErrorPagesTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8|true", // Firefox, Chrome
            "application/xhtml+xml|true",
            "*/*|false", // curl
            "application/json|false",
            "text/html;q=0|false",
            "''|false"})
    void browsersGetHtmlApiClientsText(String accept, boolean html) {
        assertEquals(html, ErrorPages.acceptsHtml(accept));
    }

    @Test
    void theBuiltInPageNamesTheStatusAndEscapesTheReason() {
        String page = ErrorPages.load("").html(502, "no backend named <x>");
        assertTrue(page.contains("<title>502 Bad Gateway</title>") && page.contains("no backend named &lt;x&gt;"), page);
        assertTrue(!page.toLowerCase().contains("tomcat") && !page.toLowerCase().contains("jetty"), page);
    }

    @Test
    void aFolderReplacesThePagesItHas(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("502.html"), "<p>down: {status} {reason}</p>");
        ErrorPages pages = ErrorPages.load(dir.toString());
        assertEquals("<p>down: 502 backend &quot;a&quot; failed</p>", pages.html(502, "backend \"a\" failed"));
        assertTrue(pages.html(404, "x").contains("404 Not Found"));
    }
}
