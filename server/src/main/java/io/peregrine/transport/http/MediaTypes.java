package io.peregrine.transport.http;

import java.util.Locale;
import java.util.Set;

/** Media types as the {@code Content-Type} and {@code Accept} headers of a request name them. */
final class MediaTypes {

    private static final String JSON = "application/json";
    private static final String EVENT_STREAM = "text/event-stream";
    /** Accept values that admit both, as clients commonly write them. */
    private static final Set<String> BOTH = Set.of(JSON + ", " + EVENT_STREAM, EVENT_STREAM + ", " + JSON,
            JSON + "," + EVENT_STREAM, EVENT_STREAM + "," + JSON);

    private MediaTypes() {
    }

    /** The media type of a Content-Type or Accept item, lower case, without parameters. */
    static String of(String contentType) {
        int semi = contentType.indexOf(';');
        return (semi >= 0 ? contentType.substring(0, semi) : contentType).trim().toLowerCase(Locale.ROOT);
    }

    /** Whether a Content-Type header names {@code application/json}, with or without parameters. */
    static boolean isJson(String contentType) {
        return contentType.equals(JSON) || of(contentType).equals(JSON);
    }

    /**
     * Whether an Accept header admits both JSON and SSE, as every Streamable HTTP POST must:
     * the values clients send are answered without parsing them.
     */
    static boolean acceptsJsonAndEventStream(String accept) {
        return BOTH.contains(accept) || accepts(accept, JSON) && accepts(accept, EVENT_STREAM);
    }

    /** Whether an Accept header admits {@code type} ({@code type/sub}, {@code type/*} or {@code * /*}). */
    static boolean accepts(String accept, String type) {
        String main = type.substring(0, type.indexOf('/'));
        for (String part : accept.split(",")) {
            String media = of(part);
            if (media.equals(type) || media.equals("*/*") || media.equals(main + "/*")) {
                return !part.replace(" ", "").contains(";q=0") || part.replace(" ", "").matches(".*;q=0\\.\\d*[1-9].*");
            }
        }
        return false;
    }
}
