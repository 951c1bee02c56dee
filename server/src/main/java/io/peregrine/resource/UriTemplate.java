package io.peregrine.resource;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An RFC 6570 URI template of levels 1 to 3: simple {@code {var}}, reserved {@code {+var}},
 * fragment {@code {#var}}, label {@code {.var}}, path segment {@code {/var}}, path parameter
 * {@code {;var}}, query {@code {?var}} and continuation {@code {&var}} expressions, each with
 * one or more comma-separated variables. Level 4 modifiers ({@code :n}, {@code *}) are refused
 * when the template is parsed.
 *
 * <p>{@link #expand} fills a template in; {@link #match} works the other way, recovering the
 * variables from a URI. Matching is the inverse of expansion for the values expansion can
 * produce: a simple variable never spans {@code / ? # ,}, a path-segment variable never spans a
 * {@code /}, a reserved variable may span anything. Values are percent-decoded (UTF-8).
 * Query and continuation expressions match their {@code name=value} pairs in any order, and a
 * variable of an expression that may be left out entirely (label, path, query) is absent from
 * the result when the URI left it out.
 *
 * <p>Instances are immutable and thread-safe. A little over 400 lines: RFC 6570's operators are
 * one table, and matching and expansion are kept side by side so that each stays the other's inverse.
 */
public final class UriTemplate {

    /** One {@code {...}} expression. */
    private static final class Expression {
        final char op;
        final List<String> names;

        Expression(char op, List<String> names) {
            this.op = op;
            this.names = names;
        }

        String prefix() {
            switch (op) {
                case '+': return "";
                case 0: return "";
                default: return String.valueOf(op);
            }
        }

        String separator() {
            switch (op) {
                case 0: case '+': case '#': return ",";
                case '?': case '&': return "&";
                default: return String.valueOf(op);
            }
        }

        boolean named() {
            return op == ';' || op == '?' || op == '&';
        }

        boolean allowsReserved() {
            return op == '+' || op == '#';
        }
    }

    /** A regex group that only says a named parameter is present. */
    private static final class Present {
        final String name;

        Present(String name) {
            this.name = name;
        }
    }

    private final String template;
    /** Literal strings and expressions, in order. */
    private final List<Object> parts;
    private final List<String> variables;
    private final Pattern pattern;
    /** For each regex group: the variable it captures; null entries for query groups. */
    private final List<Object> groups;

    private UriTemplate(String template) {
        this.template = template;
        this.parts = parse(template);
        List<String> vars = new ArrayList<>();
        for (Object part : parts) {
            if (part instanceof Expression) {
                for (String name : ((Expression) part).names) {
                    if (!vars.contains(name)) {
                        vars.add(name);
                    }
                }
            }
        }
        this.variables = Collections.unmodifiableList(vars);
        this.groups = new ArrayList<>();
        this.pattern = Pattern.compile(regex());
    }

    /**
     * Parses {@code template}.
     *
     * @throws IllegalArgumentException when it is not a level 1 to 3 template
     */
    public static UriTemplate of(String template) {
        return new UriTemplate(Objects.requireNonNull(template, "template"));
    }

    /** Whether {@code text} contains a template expression at all. */
    public static boolean isTemplate(String text) {
        return text.indexOf('{') >= 0;
    }

    /** The template as written. */
    public String template() {
        return template;
    }

    /** The variable names in order of first appearance. */
    public List<String> variables() {
        return variables;
    }

    // ------------------------------------------------------------------ parsing

    private static List<Object> parse(String t) {
        List<Object> parts = new ArrayList<>();
        int i = 0;
        while (i < t.length()) {
            int open = t.indexOf('{', i);
            int stray = t.indexOf('}', i);
            if (stray >= 0 && (open < 0 || stray < open)) {
                throw invalid(t, "a '}' at offset " + stray + " closes no expression");
            }
            if (open < 0) {
                parts.add(t.substring(i));
                break;
            }
            if (open > i) {
                parts.add(t.substring(i, open));
            }
            int close = t.indexOf('}', open);
            if (close < 0) {
                throw invalid(t, "the expression at offset " + open + " is not closed");
            }
            parts.add(expression(t, t.substring(open + 1, close), open));
            i = close + 1;
        }
        return parts;
    }

    private static Expression expression(String t, String body, int offset) {
        if (body.isEmpty()) {
            throw invalid(t, "empty expression at offset " + offset);
        }
        char op = body.charAt(0);
        if ("+#./;?&".indexOf(op) >= 0) {
            body = body.substring(1);
        } else if ("=,!@|".indexOf(op) >= 0) {
            throw invalid(t, "operator '" + op + "' at offset " + offset + " is reserved for future extensions");
        } else {
            op = 0;
        }
        List<String> names = new ArrayList<>();
        for (String name : body.split(",", -1)) {
            if (name.endsWith("*") || name.indexOf(':') >= 0) {
                throw invalid(t, "variable \"" + name + "\" uses a level 4 modifier (':' or '*'), which is not supported");
            }
            if (!validName(name)) {
                throw invalid(t, "\"" + name + "\" at offset " + offset + " is not a variable name"
                        + (name.indexOf('%') >= 0 ? " (a '%' in a name must start a pct-encoded triplet such as %41)" : ""));
            }
            names.add(name);
        }
        return new Expression(op, Collections.unmodifiableList(names));
    }

    private static boolean validName(String name) {
        if (name.isEmpty()) {
            return false;
        }
        // RFC 6570: varchar *( ["."] varchar ), varchar = ALPHA / DIGIT / "_" / pct-encoded.
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '%') {
                if (i + 2 >= name.length() || !isHex(name.charAt(i + 1)) || !isHex(name.charAt(i + 2))) {
                    return false;
                }
                i += 2;
                continue;
            }
            boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'
                    || (c == '.' && i > 0 && i < name.length() - 1 && name.charAt(i - 1) != '.');
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static IllegalArgumentException invalid(String t, String why) {
        return new IllegalArgumentException("uriTemplate : \"" + t + "\" (" + why + "; expected: RFC 6570 level 1 to 3)");
    }

    // ------------------------------------------------------------------ expansion

    /**
     * Expands the template; variables missing from {@code values} (or null) are undefined and
     * left out as RFC 6570 says.
     */
    public String expand(Map<String, String> values) {
        StringBuilder out = new StringBuilder();
        for (Object part : parts) {
            if (part instanceof String) {
                out.append((String) part);
                continue;
            }
            Expression e = (Expression) part;
            boolean first = true;
            for (String name : e.names) {
                String value = values.get(name);
                if (value == null) {
                    continue;
                }
                out.append(first ? e.prefix() : e.separator());
                first = false;
                if (e.named()) {
                    out.append(name);
                    if (value.isEmpty()) {
                        out.append(e.op == ';' ? "" : "=");
                        continue;
                    }
                    out.append('=');
                }
                encode(out, value, e.allowsReserved());
            }
        }
        return out.toString();
    }

    private static void encode(StringBuilder out, String value, boolean allowReserved) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            int b = bytes[i] & 0xFF;
            if (isUnreserved(b) || (allowReserved && isReserved(b))) {
                out.append((char) b);
            } else if (allowReserved && b == '%' && i + 2 < bytes.length && isHex(bytes[i + 1]) && isHex(bytes[i + 2])) {
                out.append('%'); // an existing pct-encoded triplet passes through reserved expansion
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(b >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xF, 16)));
            }
        }
    }

    private static boolean isUnreserved(int c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                || c == '-' || c == '.' || c == '_' || c == '~';
    }

    private static boolean isReserved(int c) {
        return ":/?#[]@!$&'()*+,;=".indexOf(c) >= 0;
    }

    private static boolean isHex(int c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    // ------------------------------------------------------------------ matching

    private String regex() {
        StringBuilder re = new StringBuilder();
        for (Object part : parts) {
            if (part instanceof String) {
                re.append(Pattern.quote((String) part));
                continue;
            }
            Expression e = (Expression) part;
            switch (e.op) {
                case 0:
                case '+':
                case '#':
                    commaList(re, e);
                    break;
                case '.':
                case '/':
                    for (String name : e.names) {
                        re.append("(?:").append(Pattern.quote(String.valueOf(e.op)))
                                .append('(').append(e.op == '.' ? "[^./?#;&,]*" : "[^/?#;&,]*").append("))?");
                        groups.add(name);
                    }
                    break;
                case ';':
                    for (String name : e.names) {
                        // The name alone (";x") is a defined, empty value: capture the name to tell.
                        re.append("(?:;(").append(Pattern.quote(name)).append(")(?:=([^;/?#]*))?)?");
                        groups.add(new Present(name));
                        groups.add(name);
                    }
                    break;
                default: // '?' and '&': the pairs, parsed by name after the match
                    re.append("(?:").append(e.op == '?' ? "\\?" : "&").append("([^#]*))?");
                    groups.add(e);
                    break;
            }
        }
        return re.toString();
    }

    private void commaList(StringBuilder re, Expression e) {
        String value = e.allowsReserved() ? (e.names.size() == 1 ? ".*" : "[^,]*") : "[^/?#,]*";
        if (e.op == '#') {
            re.append("(?:#");
        }
        for (int i = 0; i < e.names.size(); i++) {
            if (i == 0) {
                re.append('(').append(value).append(')');
            } else {
                re.append("(?:,(").append(value).append("))?");
            }
            groups.add(e.names.get(i));
        }
        if (e.op == '#') {
            re.append(")?");
        }
    }

    /**
     * The variables of {@code uri} if it matches this template, else null. A simple or reserved
     * variable that matched nothing is the empty string; variables of expressions the URI left
     * out are absent.
     */
    public Map<String, String> match(String uri) {
        Matcher m = pattern.matcher(uri);
        if (!m.matches()) {
            return null;
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (int g = 0; g < groups.size(); g++) {
            String text = m.group(g + 1);
            Object target = groups.get(g);
            if (text == null) {
                continue;
            }
            if (target instanceof Present) {
                values.putIfAbsent(((Present) target).name, "");
            } else if (target instanceof String) {
                String value = decode(text);
                if (value == null) {
                    return null;
                }
                String earlier = values.get((String) target);
                values.put((String) target, value);
                if (earlier != null && !earlier.isEmpty() && !earlier.equals(value)) {
                    return null; // a variable used twice must have one value
                }
            } else if (!matchPairs((Expression) target, text, values)) {
                return null;
            }
        }
        return values;
    }

    private static boolean matchPairs(Expression e, String query, Map<String, String> values) {
        for (String pair : query.split("&", -1)) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            if (!e.names.contains(name)) {
                return false;
            }
            String value = decode(eq < 0 ? "" : pair.substring(eq + 1));
            if (value == null) {
                return false;
            }
            values.put(name, value);
        }
        return true;
    }

    /** Percent-decodes {@code text} as UTF-8; null when a triplet is malformed. */
    private static String decode(String text) {
        if (text.indexOf('%') < 0) {
            return text;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
        int i = 0;
        while (i < text.length()) {
            if (text.charAt(i) == '%') {
                if (i + 2 >= text.length() || !isHex(text.charAt(i + 1)) || !isHex(text.charAt(i + 2))) {
                    return null;
                }
                out.write(Integer.parseInt(text.substring(i + 1, i + 3), 16));
                i += 3;
            } else {
                int next = text.indexOf('%', i);
                int end = next < 0 ? text.length() : next;
                out.writeBytes(text.substring(i, end).getBytes(StandardCharsets.UTF_8));
                i = end;
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UriTemplate && ((UriTemplate) o).template.equals(template);
    }

    @Override
    public int hashCode() {
        return template.hashCode();
    }

    @Override
    public String toString() {
        return template;
    }
}
