package hostproxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * What users read and copy cannot drift from {@link Setting}: the settings table of
 * {@code docs/configuration.md} (same names, order and defaults) and the Tomcat context file with a
 * {@code <Parameter>} for each.
 */
class SettingsTableTest {
    private static final Pattern ROW = Pattern.compile("^\\| `([a-zA-Z]+)` \\| `([^`]*)` \\|.*$", Pattern.MULTILINE);

    @Test
    void theDocumentedTableListsEverySettingWithItsDefault() throws Exception {
        String doc = Files.readString(Path.of("docs/configuration.md"));
        int start = doc.indexOf("<!-- settings-table -->");
        int end = doc.indexOf("<!-- /settings-table -->");
        assertTrue(start >= 0 && end > start, "docs/configuration.md: the settings table's markers");
        String table = doc.substring(start, end);
        Matcher m = ROW.matcher(table);
        StringBuilder documented = new StringBuilder();
        while (m.find()) {
            documented.append(m.group(1)).append('=').append(m.group(2)).append('\n');
        }
        List<String> expected = Arrays.stream(Setting.values()).map(s -> s.key() + "=" + s.defaultValue()).toList();
        assertEquals(String.join("\n", expected) + "\n", documented.toString());
    }

    @Test
    void theTomcatContextFileHasAParameterForEverySetting() throws Exception {
        String context = Files.readString(Path.of("conf/tomcat/ROOT.xml"));
        List<String> missing = Arrays.stream(Setting.values()).map(Setting::key)
                .filter(key -> !context.contains("<Parameter name=\"" + key + "\""))
                .toList();
        assertEquals(List.of(), missing, "settings without an example in conf/tomcat/ROOT.xml");
    }
}
