package io.peregrine.resource;

import io.peregrine.tool.Content;
import io.peregrine.tool.DefinitionBuilder;
import io.peregrine.tool.Icon;
import io.peregrine.tool.internal.DefinitionJson;
import io.peregrine.tool.internal.ToolJson;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * What the builders of {@link Resource} and {@link ResourceTemplate} add to every definition's:
 * the MIME type and the annotations, and the shape of the definition they encode.
 */
abstract class ResourceBuilderBase<B extends ResourceBuilderBase<B>> extends DefinitionBuilder<B> {

    private static final Pattern SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.\\-]*");

    private final String name;
    private String mimeType;
    private Content.Annotations annotations;
    private SubscriptionHandler subscriptions;

    ResourceBuilderBase(String name) {
        super(true);
        this.name = requireNonEmpty(name, "name");
    }

    /** The MIME type of the contents (for a template: set it only when every resource it names shares one). Default: none. */
    public final B mimeType(String mimeType) {
        this.mimeType = requireNonEmpty(mimeType, "mimeType");
        return self();
    }

    /** Who the resource is for, how much it matters, when it last changed. Default: none. */
    public final B annotations(Content.Annotations annotations) {
        this.annotations = requireNonNull(annotations, "annotations");
        return self();
    }

    /**
     * What subscribing does ({@link SubscriptionHandler}), for contents whose changes must be asked
     * for elsewhere. Default: none, the server keeps the subscriptions and the author calls
     * {@code ResourceRegistry.updated}.
     */
    public final B subscriptions(SubscriptionHandler subscriptions) {
        this.subscriptions = requireNonNull(subscriptions, "subscriptions");
        return self();
    }

    final SubscriptionHandler subscriptionsOrNull() {
        return subscriptions;
    }

    /** {@code uri}, unless it is not an absolute URI; {@code what} names it in the message. */
    static String requireAbsoluteUri(String uri, String what) {
        requireNonNull(uri, what);
        int colon = uri.indexOf(':');
        if (colon <= 0 || !SCHEME.matcher(uri.substring(0, colon)).matches()) {
            throw new IllegalArgumentException(what + " : \"" + uri
                    + "\" (expected: an absolute URI with a scheme, e.g. file:///a.txt)");
        }
        return uri;
    }

    final String name() {
        return name;
    }

    final String mimeTypeOrNull() {
        return mimeType;
    }

    /** The definition: {@code own} members first (uri or uriTemplate), then those every resource has. */
    final String encode(DefinitionJson.Members own) {
        String title = title();
        String description = description();
        List<Icon> icons = icons();
        Map<String, Object> meta = meta();
        return DefinitionJson.encode(g -> {
            own.write(g);
            g.writeStringField("name", name);
            ToolJson.writeOptional(g, "title", title);
            ToolJson.writeOptional(g, "description", description);
            ToolJson.writeOptional(g, "mimeType", mimeType);
            if (annotations != null) {
                g.writeFieldName("annotations");
                ToolJson.writeAnnotations(annotations, g);
            }
            ToolJson.writeIcons(g, icons);
            ToolJson.writeMeta(g, meta);
        });
    }
}
