/** How prompt messages are written as JSON, for the core. Not API: it may change in any release. */
package io.peregrine.prompt.internal;
