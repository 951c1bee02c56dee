package io.peregrine.resource;

import java.util.List;

/** Reads a resource: returns its contents (one or more items), or throws {@link ResourceNotFoundException}. */
@FunctionalInterface
public interface ResourceHandler {

    List<ResourceContents> read(ResourceRequest request) throws Exception;
}
