package io.peregrine.mcp;

import io.peregrine.rpc.JsonRpcError;
import io.peregrine.rpc.RpcException;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;

/**
 * Opaque pagination cursors for the list methods. A cursor names the key of the last item sent,
 * not an index, so paging stays correct while items come and go; the lists are sorted by key.
 */
final class Cursors {

    private static final String PREFIX = "after:";

    private Cursors() {
    }

    static String encode(String lastKey) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((PREFIX + lastKey).getBytes(StandardCharsets.UTF_8));
    }

    /** The key a cursor names, or null for no cursor; -32602 for a cursor this server did not issue. */
    static String decode(String cursor) throws RpcException {
        if (cursor == null) {
            return null;
        }
        try {
            String decoded = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (decoded.startsWith(PREFIX)) {
                return decoded.substring(PREFIX.length());
            }
        } catch (IllegalArgumentException ignored) {
            // fall through to the error below
        }
        throw new RpcException(JsonRpcError.INVALID_PARAMS,
                "Invalid cursor: \"" + cursor + "\" is not a cursor this server issued; list again without one");
    }

    /** One page of a key-sorted array: the items after {@code after}, and the cursor of the next page or null. */
    static final class Page<T> {
        final List<T> items;
        final String nextCursor;

        Page(List<T> items, String nextCursor) {
            this.items = items;
            this.nextCursor = nextCursor;
        }
    }

    static <T> Page<T> page(T[] sorted, Function<T, String> key, String after, int limit) {
        int from = 0;
        if (after != null) {
            int lo = 0;
            int hi = sorted.length;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (key.apply(sorted[mid]).compareTo(after) <= 0) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            from = lo;
        }
        int to = Math.min(sorted.length, from + limit);
        String next = to < sorted.length && to > from ? encode(key.apply(sorted[to - 1])) : null;
        return new Page<>(Arrays.asList(sorted).subList(from, to), next);
    }
}
