package io.peregrine.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.peregrine.resource.UriTemplate;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * URI templates ({@link UriTemplate}): parsing, matching and expansion.
 *
 * <p>Input: a template, a newline, a URI to match, a newline, then values for the template's
 * variables, one a line. Invariants: a template is parsed or refused with an
 * {@link IllegalArgumentException} that quotes it and says what was expected, nothing else, and
 * every variable name it accepts is an RFC 6570 varname (a '%' only in a pct-encoded triplet);
 * matching and expanding never throw; a template of one expression of one variable matches what it
 * expands to, giving back the value (except a label's value with a '.', which a label cannot
 * carry, and a pct-encoded triplet in a reserved value, which reserved expansion keeps as it is).
 */
class UriTemplateFuzzTest {

    /** RFC 6570: varchar *( ["."] varchar ), varchar = ALPHA / DIGIT / "_" / pct-encoded. */
    private static final String VARNAME = "(?:[A-Za-z0-9_]|%[0-9A-Fa-f]{2})(?:\\.?(?:[A-Za-z0-9_]|%[0-9A-Fa-f]{2}))*";

    private final Fuzzing.Rhythm rhythm = new Fuzzing.Rhythm();

    @FuzzTest(maxDuration = "30s")
    void parsesMatchesAndExpands(byte[] data) {
        String[] parts = new String(data, StandardCharsets.UTF_8).split("\n", -1);
        String text = parts[0];
        UriTemplate template;
        try {
            template = UriTemplate.of(text);
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).as("a refusal quotes the template")
                    .startsWith("uriTemplate : \"" + text + "\" (").endsWith("; expected: RFC 6570 level 1 to 3)");
            rhythm.afterInput();
            return;
        }
        for (String name : template.variables()) {
            assertThat(name).as("a variable name of %s (RFC 6570 varname)", text).matches(VARNAME);
        }
        if (parts.length > 1) {
            template.match(parts[1]);
        }
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < template.variables().size() && i + 2 < parts.length; i++) {
            values.put(template.variables().get(i), parts[i + 2]);
        }
        String uri = template.expand(values);
        assertThat(uri).isNotNull();
        Map<String, String> matched = template.match(uri);
        String single = singleVariable(text);
        if (single != null && values.containsKey(single)) {
            String value = values.get(single);
            boolean label = text.contains("{.");
            // Reserved expansion passes a pct-encoded triplet through as it is (RFC 6570 3.2.3),
            // so such a value reads back decoded.
            boolean reserved = text.contains("{+") || text.contains("{#");
            if (!(label && value.contains(".")) && !(reserved && value.matches("(?s).*%[0-9A-Fa-f]{2}.*"))) {
                assertThat(matched).as("%s matches its own expansion %s", text, uri).isNotNull();
                assertThat(matched.get(single)).as("the value read back from %s", uri).isEqualTo(value);
            }
        }
        rhythm.afterInput();
    }

    /** The variable of a template that is a literal prefix and one expression of one variable at its end, else null. */
    private static String singleVariable(String t) {
        int open = t.indexOf('{');
        if (open < 0 || t.indexOf('{', open + 1) >= 0 || !t.endsWith("}") || t.indexOf('}') != t.length() - 1) {
            return null;
        }
        String body = t.substring(open + 1, t.length() - 1);
        if (!body.isEmpty() && "+#./;?&".indexOf(body.charAt(0)) >= 0) {
            body = body.substring(1);
        }
        return body.contains(",") ? null : body;
    }
}
