package io.peregrine.gateway;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Include and exclude glob patterns ({@code *} any run of characters, {@code ?} one) of names or URIs. */
final class NamePatterns {

    private final List<Pattern> include;
    private final List<Pattern> exclude;

    NamePatterns(List<String> include, List<String> exclude) {
        this.include = compile(include);
        this.exclude = compile(exclude);
    }

    private static List<Pattern> compile(List<String> globs) {
        List<Pattern> out = new ArrayList<>();
        for (String g : globs) {
            String glob = g.trim();
            if (glob.isEmpty()) {
                continue;
            }
            StringBuilder re = new StringBuilder();
            for (char c : glob.toCharArray()) {
                if (c == '*') {
                    re.append(".*");
                } else if (c == '?') {
                    re.append('.');
                } else {
                    re.append(Pattern.quote(String.valueOf(c)));
                }
            }
            out.add(Pattern.compile(re.toString(), Pattern.DOTALL));
        }
        return List.copyOf(out);
    }

    /** Splits a comma-separated list of patterns. */
    static List<String> split(String text) {
        List<String> out = new ArrayList<>();
        for (String s : text.split(",")) {
            if (!s.isBlank()) {
                out.add(s.trim());
            }
        }
        return out;
    }

    boolean admits(String name) {
        if (name == null) {
            return false;
        }
        boolean in = false;
        for (Pattern p : include) {
            if (p.matcher(name).matches()) {
                in = true;
                break;
            }
        }
        if (!in) {
            return false;
        }
        for (Pattern p : exclude) {
            if (p.matcher(name).matches()) {
                return false;
            }
        }
        return true;
    }
}
