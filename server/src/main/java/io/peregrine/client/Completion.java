package io.peregrine.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What {@code completion/complete} suggested for an argument.
 *
 * @param values  the suggestions, at most 100
 * @param total   how many there are in all, or null when the server did not say
 * @param hasMore whether there are more than were sent
 */
public record Completion(List<String> values, Integer total, boolean hasMore) {

    static Completion from(Map<String, Object> result) {
        Map<String, Object> c = Trees.objectOrEmpty(result.get("completion"));
        List<String> values = new ArrayList<>();
        if (c.get("values") instanceof List) {
            for (Object v : (List<?>) c.get("values")) {
                if (v instanceof String) {
                    values.add((String) v);
                }
            }
        }
        Object total = c.get("total");
        return new Completion(List.copyOf(values), total instanceof Number ? ((Number) total).intValue() : null,
                Boolean.TRUE.equals(c.get("hasMore")));
    }
}
