package hostproxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The README's settings table and {@link Setting} cannot drift apart: same names, same order, same defaults. */
class ReadmeSettingsTest {
    private static final Pattern ROW = Pattern.compile("^\\| `([a-zA-Z]+)` \\| `([^`]*)` \\|.*$", Pattern.MULTILINE);

    @Test
    void theReadmeTableListsEverySettingWithItsDefault() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        String table = readme.substring(readme.indexOf("<!-- settings-table -->"), readme.indexOf("<!-- /settings-table -->"));
        Matcher m = ROW.matcher(table);
        StringBuilder documented = new StringBuilder();
        while (m.find()) {
            documented.append(m.group(1)).append('=').append(m.group(2)).append('\n');
        }
        List<String> expected = Arrays.stream(Setting.values()).map(s -> s.key() + "=" + s.defaultValue()).toList();
        assertEquals(String.join("\n", expected) + "\n", documented.toString());
    }
}
