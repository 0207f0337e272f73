package hostproxy;

import hostproxy.config.InvalidSettingException;
import hostproxy.config.Setting;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The bodies of hostproxy's own error responses: a small HTML page for clients that accept
 * {@code text/html} (browsers), one line of plain text for everyone else (API clients, curl).
 * Neither names the container or its version. A folder given as {@code errorPages} replaces the
 * HTML page of each status it has a {@code <status>.html} for; {@code {status}}, {@code {title}} and
 * {@code {reason}} in it are filled in (HTML-escaped).
 */
final class ErrorPages {
    static final List<Integer> STATUSES = List.of(400, 403, 404, 413, 502, 503, 504, 508);
    private static final Map<Integer, String> TITLES = Map.of(400, "Bad Request", 403, "Forbidden", 404, "Not Found",
            413, "Content Too Large", 502, "Bad Gateway", 503, "Service Unavailable", 504, "Gateway Timeout",
            508, "Loop Detected");
    private static final String BUILT_IN = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
            <title>{status} {title}</title>
            <style>body{font:16px/1.5 system-ui,sans-serif;max-width:40em;margin:4em auto;padding:0 1em;color:#222}\
            h1{font-size:1.6em;margin:0 0 .5em}p{color:#555}</style></head>
            <body><h1>{status} {title}</h1><p>{reason}</p></body></html>
            """;

    private final Map<Integer, String> templates;

    private ErrorPages(Map<Integer, String> templates) {
        this.templates = templates;
    }

    /** Reads the folder's pages once; an empty folder setting: built-in pages only. */
    static ErrorPages load(String folder) {
        Map<Integer, String> templates = new HashMap<>();
        if (!folder.isEmpty()) {
            for (int status : STATUSES) {
                Path page = Path.of(folder, status + ".html");
                if (Files.isRegularFile(page)) {
                    try {
                        templates.put(status, Files.readString(page, StandardCharsets.UTF_8));
                    } catch (IOException e) {
                        throw new InvalidSettingException(Setting.ERROR_PAGES, folder, "cannot read " + page + " (" + e + ")");
                    }
                }
            }
        }
        return new ErrorPages(Map.copyOf(templates));
    }

    /** Whether an {@code Accept} header asks for HTML (browsers do; {@code *}{@code /*} alone does not). */
    static boolean acceptsHtml(String accept) {
        if (accept == null) {
            return false;
        }
        for (String range : accept.split(",")) {
            String[] params = range.split(";");
            String type = params[0].trim().toLowerCase(Locale.ROOT);
            if (type.equals("text/html") || type.equals("application/xhtml+xml")) {
                return !zeroQuality(params);
            }
        }
        return false;
    }

    private static boolean zeroQuality(String[] params) {
        for (int i = 1; i < params.length; i++) {
            String p = params[i].trim().toLowerCase(Locale.ROOT);
            if (p.startsWith("q=")) {
                return p.substring(2).trim().matches("0(\\.0{0,3})?");
            }
        }
        return false;
    }

    /** The HTML page for this status and reason. */
    String html(int status, String reason) {
        String title = TITLES.getOrDefault(status, "Error");
        return templates.getOrDefault(status, BUILT_IN)
                .replace("{status}", Integer.toString(status))
                .replace("{title}", title)
                .replace("{reason}", escape(reason));
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
                .replace("'", "&#39;");
    }
}
