package io.peregrine.policy;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class GrantsTest {

    @Test
    void exactPrefixAndWildcardScopes() {
        Grants g = Grants.parse("tool:echo tool:fs.* resource:file:///docs/* openid");
        assertThat(g.permitsTool("echo")).isTrue();
        assertThat(g.permitsTool("echo2")).isFalse();
        assertThat(g.permitsTool("fs.read")).isTrue();
        assertThat(g.permitsTool("fsx")).isFalse();
        assertThat(g.permits(Grants.RESOURCE, "file:///docs/a.txt")).isTrue();
        assertThat(g.permits(Grants.RESOURCE, "file:///etc/passwd")).isFalse();
        assertThat(g.permits(Grants.PROMPT, "anything")).isFalse();
        assertThat(Grants.parse("tool:*").permitsTool("x")).isTrue();
        assertThat(Grants.parse("tool:*").permits(Grants.PROMPT, "x")).isFalse();
        assertThat(Grants.parse("*").permits(Grants.PROMPT, "x")).isTrue();
        assertThat(Grants.parse("").permitsTool("echo")).isFalse();
        assertThat(Grants.NONE.permitsTool("echo")).isFalse();
    }
}
