/**
 * How the tool package's values are written as JSON: what the core and the definition builders
 * use, kept out of the public API so that an embedder sees plain Java types only. Not API: it
 * may change in any release.
 */
package io.peregrine.tool.internal;
