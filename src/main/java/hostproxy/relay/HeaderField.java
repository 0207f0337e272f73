package hostproxy.relay;

import java.util.ArrayList;
import java.util.List;
import org.apache.hc.core5.http.Header;

/** One header field as it appears on the wire: name (any case) and value. */
public record HeaderField(String name, String value) {
    /** HttpCore's fields, in their order. */
    static List<HeaderField> all(Header[] headers) {
        List<HeaderField> fields = new ArrayList<>(headers.length);
        for (Header h : headers) {
            fields.add(new HeaderField(h.getName(), h.getValue()));
        }
        return fields;
    }
}
