package io.peregrine.resource;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** RFC 6570 levels 1 to 3: expansion against the RFC's own examples, matching as its inverse. */
class UriTemplateTest {

    /** The variables of RFC 6570 section 3.2. */
    private static final Map<String, String> RFC = Map.of(
            "var", "value", "hello", "Hello World!", "path", "/foo/bar", "empty", "", "x", "1024", "y", "768");

    @ParameterizedTest(name = "{0}")
    @MethodSource("expansions")
    void expandsAsTheRfcSays(String template, String expected) {
        assertThat(UriTemplate.of(template).expand(RFC)).isEqualTo(expected);
    }

    static Stream<Arguments> expansions() {
        return Stream.of(
                // level 1
                Arguments.of("{var}", "value"),
                Arguments.of("{hello}", "Hello%20World%21"),
                // level 2
                Arguments.of("{+var}", "value"),
                Arguments.of("{+hello}", "Hello%20World!"),
                Arguments.of("{+path}/here", "/foo/bar/here"),
                Arguments.of("here?ref={+path}", "here?ref=/foo/bar"),
                Arguments.of("X{#var}", "X#value"),
                Arguments.of("X{#hello}", "X#Hello%20World!"),
                // level 3
                Arguments.of("map?{x,y}", "map?1024,768"),
                Arguments.of("{x,hello,y}", "1024,Hello%20World%21,768"),
                Arguments.of("{+x,hello,y}", "1024,Hello%20World!,768"),
                Arguments.of("{+path,x}/here", "/foo/bar,1024/here"),
                Arguments.of("{#x,hello,y}", "#1024,Hello%20World!,768"),
                Arguments.of("X{.var}", "X.value"),
                Arguments.of("X{.x,y}", "X.1024.768"),
                Arguments.of("{/var}", "/value"),
                Arguments.of("{/var,x}/here", "/value/1024/here"),
                Arguments.of("{;x,y}", ";x=1024;y=768"),
                Arguments.of("{;x,y,empty}", ";x=1024;y=768;empty"),
                Arguments.of("{?x,y}", "?x=1024&y=768"),
                Arguments.of("{?x,y,empty}", "?x=1024&y=768&empty="),
                Arguments.of("?fixed=yes{&x}", "?fixed=yes&x=1024"),
                Arguments.of("{&x,y,empty}", "&x=1024&y=768&empty="),
                // undefined variables vanish
                Arguments.of("{?x,undef}", "?x=1024"),
                Arguments.of("{/undef}", ""),
                Arguments.of("fs:///{+path}", "fs:////foo/bar"),
                Arguments.of("a{undef}c", "ac"));
    }

    @ParameterizedTest(name = "{0} ~ {1}")
    @MethodSource("matches")
    void matchRecoversTheVariables(String template, String uri, Map<String, String> expected) {
        assertThat(UriTemplate.of(template).match(uri)).isEqualTo(expected);
    }

    static Stream<Arguments> matches() {
        return Stream.of(
                Arguments.of("test://items/{id}", "test://items/42", vars("id", "42")),
                Arguments.of("test://items/{id}", "test://items/a%20b", vars("id", "a b")),
                Arguments.of("test://items/{id}", "test://items/caf%C3%A9", vars("id", "café")),
                Arguments.of("test://items/{id}", "test://items/", vars("id", "")),
                Arguments.of("test://items/{id}/data", "test://items/7/data", vars("id", "7")),
                Arguments.of("fs:///{+path}", "fs:///docs/a/b.txt", vars("path", "docs/a/b.txt")),
                Arguments.of("fs:///{+path}.md", "fs:///docs/x.y.md", vars("path", "docs/x.y")),
                Arguments.of("geo:{x,y}", "geo:1024,768", vars("x", "1024", "y", "768")),
                Arguments.of("geo:{x,y}", "geo:1024", vars("x", "1024")),
                Arguments.of("file{.ext}", "file.txt", vars("ext", "txt")),
                Arguments.of("file{.ext}", "file", vars()),
                Arguments.of("api{/version,resource}", "api/v1/users", vars("version", "v1", "resource", "users")),
                Arguments.of("api{/version,resource}", "api/v1", vars("version", "v1")),
                Arguments.of("m{;x,y}", "m;x=1;y=2", vars("x", "1", "y", "2")),
                Arguments.of("m{;x,y}", "m;x", vars("x", "")),
                Arguments.of("search{?q,limit}", "search?q=cats&limit=5", vars("q", "cats", "limit", "5")),
                Arguments.of("search{?q,limit}", "search?limit=5&q=cats", vars("limit", "5", "q", "cats")),
                Arguments.of("search{?q,limit}", "search", vars()),
                Arguments.of("search?fixed=1{&q}", "search?fixed=1&q=x%26y", vars("q", "x&y")),
                Arguments.of("page{#section}", "page#intro", vars("section", "intro")),
                Arguments.of("{a}/{a}", "x/x", vars("a", "x")));
    }

    @ParameterizedTest(name = "{0} !~ {1}")
    @MethodSource("misses")
    void aUriThatDoesNotFitIsNoMatch(String template, String uri) {
        assertThat(UriTemplate.of(template).match(uri)).isNull();
    }

    static Stream<Arguments> misses() {
        return Stream.of(
                Arguments.of("test://items/{id}", "test://items/a/b"),
                Arguments.of("test://items/{id}", "test://other/1"),
                Arguments.of("test://items/{id}", "test://items/1?x=2"),
                Arguments.of("test://items/{id}/data", "test://items/7"),
                Arguments.of("test://items/{id}", "test://items/%zz"),
                Arguments.of("search{?q}", "search?other=1"),
                Arguments.of("file{.ext}", "file.tar.gz"),
                Arguments.of("{a}/{a}", "x/y"),
                Arguments.of("fs:///{+path}", "fs://host/a"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("roundTrips")
    void matchInvertsExpand(String template, Map<String, String> values) {
        UriTemplate t = UriTemplate.of(template);
        assertThat(t.match(t.expand(values))).isEqualTo(values);
    }

    static Stream<Arguments> roundTrips() {
        return Stream.of(
                Arguments.of("test://items/{id}", vars("id", "a b/c?d#e,f")),
                Arguments.of("fs:///{+path}", vars("path", "dir/sub dir/ünï.txt")),
                Arguments.of("x{/a,b}{?c,d}", vars("a", "1", "b", "two words", "c", "&=", "d", "")),
                Arguments.of("x{.a}{;b}", vars("a", "ext", "b", "v")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void invalidTemplatesAreRefusedWithTheReason(String template, String reason) {
        assertThatThrownBy(() -> UriTemplate.of(template)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(reason).hasMessageContaining("RFC 6570 level 1 to 3");
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of("a{b", "not closed"),
                Arguments.of("a}b", "closes no expression"),
                Arguments.of("a{}", "empty expression"),
                Arguments.of("{var:3}", "level 4"),
                Arguments.of("{list*}", "level 4"),
                Arguments.of("{=x}", "reserved for future"),
                Arguments.of("{a b}", "not a variable name"),
                Arguments.of("{a,}", "not a variable name"));
    }

    @org.junit.jupiter.api.Test
    void variablesAreListedInOrderOfFirstUse() {
        assertThat(UriTemplate.of("x/{a}{/b,a}{?c}").variables()).containsExactly("a", "b", "c");
    }

    private static Map<String, String> vars(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }
}
