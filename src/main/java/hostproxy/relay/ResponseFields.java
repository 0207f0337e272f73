package hostproxy.relay;

import jakarta.servlet.http.HttpServletResponse;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** A backend's header fields, set on the client's response. */
public final class ResponseFields {
    private ResponseFields() {
    }

    /**
     * The first field of each name replaces what the container may have put there already (Jetty
     * presets Date, and Server unless told not to): the client gets the backend's fields once;
     * further fields of the same name (Set-Cookie...) are added.
     */
    public static void set(HttpServletResponse response, List<HeaderField> fields) {
        Set<String> seen = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        for (HeaderField h : fields) {
            if (seen.add(h.name())) {
                response.setHeader(h.name(), h.value());
            } else {
                response.addHeader(h.name(), h.value());
            }
        }
    }
}
