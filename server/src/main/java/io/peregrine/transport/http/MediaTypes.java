package io.peregrine.transport.http;

import java.util.Locale;

/** Media types as the {@code Content-Type} and {@code Accept} headers of a request name them. */
final class MediaTypes {

    private MediaTypes() {
    }

    /** The media type of a Content-Type or Accept item, lower case, without parameters. */
    static String of(String contentType) {
        int semi = contentType.indexOf(';');
        return (semi >= 0 ? contentType.substring(0, semi) : contentType).trim().toLowerCase(Locale.ROOT);
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
