package io.peregrine.client;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

class DiscoveryCacheTest {

    private static Map<String, Object> tool(String name) {
        return Map.of("name", name, "inputSchema", Map.of("type", "object"));
    }

    @Test
    void aChangeAnnouncedDuringAFetchIsFetchedAgainForTheListeners() {
        List<CompletableFuture<DiscoveryCache.ListResult>> fetches = new CopyOnWriteArrayList<>();
        DiscoveryCache cache = new DiscoveryCache((method, key) -> {
            CompletableFuture<DiscoveryCache.ListResult> f = new CompletableFuture<>();
            fetches.add(f);
            return f;
        }, () -> 0L);
        List<List<String>> heard = new CopyOnWriteArrayList<>();
        cache.addListener((kind, items) -> {
            List<String> names = new ArrayList<>();
            for (Object o : items) {
                names.add(((ToolInfo) o).name());
            }
            heard.add(names);
        });

        cache.get(CatalogListener.Kind.TOOLS);
        fetches.get(0).complete(new DiscoveryCache.ListResult(List.of(tool("a")), null));
        assertThat(heard).containsExactly(List.of("a"));

        cache.changed(CatalogListener.Kind.TOOLS);          // "b" added: fetched again at once
        assertThat(fetches).hasSize(2);
        cache.changed(CatalogListener.Kind.TOOLS);          // "a" removed while that fetch runs
        assertThat(fetches).as("the fetch in progress is shared").hasSize(2);
        fetches.get(1).complete(new DiscoveryCache.ListResult(List.of(tool("a"), tool("b")), null));

        assertThat(fetches).as("the list is fetched once more for the change made during the fetch").hasSize(3);
        fetches.get(2).complete(new DiscoveryCache.ListResult(List.of(tool("b")), null));
        assertThat(heard).containsExactly(List.of("a"), List.of("a", "b"), List.of("b"));
        assertThat(fetches).hasSize(3);
    }

    @Test
    void anAnswerThatCameBeforeTheFetchWasSetUpDoesNotPinTheCache() {
        List<String> names = new CopyOnWriteArrayList<>(List.of("a"));
        int[] fetched = {0};
        // Answered at once, as a fast link can before the cache attached its steps.
        DiscoveryCache cache = new DiscoveryCache((method, key) -> {
            fetched[0]++;
            List<Map<String, Object>> items = new ArrayList<>();
            names.forEach(n -> items.add(tool(n)));
            return CompletableFuture.completedFuture(new DiscoveryCache.ListResult(items, null));
        }, () -> 0L);

        assertThat(cache.<ToolInfo>get(CatalogListener.Kind.TOOLS).join()).extracting(ToolInfo::name).containsExactly("a");
        names.add("b");
        cache.changed(CatalogListener.Kind.TOOLS);
        assertThat(cache.<ToolInfo>get(CatalogListener.Kind.TOOLS).join()).extracting(ToolInfo::name)
                .as("the change is fetched, not the first answer given again").containsExactly("a", "b");
        assertThat(fetched[0]).isEqualTo(2);
    }
}
