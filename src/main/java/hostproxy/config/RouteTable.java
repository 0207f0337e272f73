package hostproxy.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * The routes in force: the explicit targets of the {@code routes} setting and of the routes file,
 * and the file's lines with their options. Immutable: a changed routes file makes a new table,
 * swapped whole ({@link LiveRoutes}); an exchange takes one table when it starts and keeps what it
 * took from it to its end.
 */
public final class RouteTable {
    /**
     * One route as the status page lists it.
     *
     * @param target  its target's URI, or {@code -} for the template's backend
     * @param options its options as written ({@code ""}: none)
     * @param source  {@code routes setting}, or the line of the routes file
     */
    public record Listed(String label, String target, String options, String source) {
    }

    /** Labels a description of changes names, per kind of change, at most. */
    private static final int NAMED = 10;

    private final Map<String, BackendTarget> targets;
    /** The options of every label that has a line in the routes file ({@link RouteOptions#NONE}: none). */
    private final Map<String, RouteOptions> lines;
    private final List<Listed> listed;

    private RouteTable(Map<String, BackendTarget> targets, Map<String, RouteOptions> lines, List<Listed> listed) {
        this.targets = Map.copyOf(targets);
        this.lines = Map.copyOf(lines);
        this.listed = List.copyOf(listed);
    }

    /**
     * The table of the {@code routes} setting and the routes file's lines.
     *
     * @throws InvalidSettingException naming the file and the line of a label the setting routes too
     */
    static RouteTable of(Map<String, BackendTarget> routes, String path, List<RoutesFile.Line> file) {
        Map<String, BackendTarget> targets = new HashMap<>(routes);
        Map<String, RouteOptions> lines = new HashMap<>();
        List<Listed> listed = new ArrayList<>();
        routes.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(r -> listed.add(new Listed(r.getKey(), r.getValue().uri(), "", "routes setting")));
        for (RoutesFile.Line line : file) {
            if (routes.containsKey(line.label())) {
                throw RoutesFile.bad(path, line.number(),
                        "label '" + line.label() + "' is also routed by the routes setting");
            }
            if (line.target() != null) {
                targets.put(line.label(), line.target());
            }
            lines.put(line.label(), line.options());
            listed.add(new Listed(line.label(), line.target() == null ? "-" : line.target().uri(), line.optionsText(),
                    "line " + line.number()));
        }
        return new RouteTable(targets, lines, listed);
    }

    /** The explicit target of this label, or {@code null}: the template builds its backend. */
    public BackendTarget target(String label) {
        return targets.get(label);
    }

    /** Whether the routes file has a line for this label (an allowance, whatever {@code allowedBackends} says). */
    public boolean hasLine(String label) {
        return lines.containsKey(label);
    }

    /** The options the routes file gives this label ({@link RouteOptions#NONE} for none). */
    public RouteOptions optionsFor(String label) {
        return lines.getOrDefault(label, RouteOptions.NONE);
    }

    /** Every explicit target, by label. */
    public Map<String, BackendTarget> targets() {
        return targets;
    }

    /** The options of every line of the routes file, by label. */
    public Map<String, RouteOptions> lines() {
        return lines;
    }

    /** Every route: the {@code routes} setting's by label, then the file's in its order. */
    public List<Listed> listed() {
        return listed;
    }

    /** {@code ; added a, b; removed c; changed d}: the labels whose route differs. */
    String changesSince(RouteTable before) {
        List<String> added = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        TreeSet<String> labels = new TreeSet<>(before.targets().keySet());
        labels.addAll(before.lines().keySet());
        labels.addAll(targets.keySet());
        labels.addAll(lines.keySet());
        for (String label : labels) {
            boolean was = before.target(label) != null || before.hasLine(label);
            boolean is = target(label) != null || hasLine(label);
            if (!was) {
                added.add(label);
            } else if (!is) {
                removed.add(label);
            } else if (!Objects.equals(before.target(label), target(label))
                    || before.hasLine(label) != hasLine(label)
                    || !before.optionsFor(label).equals(optionsFor(label))) {
                changed.add(label);
            }
        }
        return named("added", added) + named("removed", removed) + named("changed", changed);
    }

    private static String named(String kind, List<String> labels) {
        if (labels.isEmpty()) {
            return "";
        }
        String names = String.join(", ", labels.subList(0, Math.min(NAMED, labels.size())));
        return "; " + kind + " " + names + (labels.size() > NAMED ? " and " + (labels.size() - NAMED) + " more" : "");
    }

    /** Equal tables route every label alike: how the routes are written does not count. */
    @Override
    public boolean equals(Object o) {
        return o instanceof RouteTable t && t.targets.equals(targets) && t.lines.equals(lines);
    }

    @Override
    public int hashCode() {
        return targets.hashCode() * 31 + lines.hashCode();
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("[");
        listed.stream().sorted(Comparator.comparing(Listed::label)).forEach(l -> s.append(s.length() > 1 ? ", " : "")
                .append(l.label()).append(' ').append(l.target()).append(l.options().isEmpty() ? "" : " " + l.options()));
        return s.append(']').toString();
    }
}
