package hostproxy.config;

/**
 * A setting whose value cannot be used. Its message is the one line an operator needs: which
 * setting, which value, what was expected. It carries no stack trace: the message says it all.
 */
public final class InvalidSettingException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String expected;

    public InvalidSettingException(Setting setting, String value, String expected) {
        super("hostproxy: invalid setting " + setting.key() + "='" + value + "': " + expected, null, false, false);
        this.expected = expected;
    }

    /** What was wrong, without the setting's name: for a message that names a line of a file instead. */
    String expected() {
        return expected;
    }
}
