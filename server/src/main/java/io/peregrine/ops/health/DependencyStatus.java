package io.peregrine.ops.health;

import java.util.Objects;

/** Whether a dependency is up, with a short detail a person can act on ("connection refused"). */
public final class DependencyStatus {

    /** Up, nothing to add. */
    public static final DependencyStatus UP = new DependencyStatus(true, "");

    private final boolean up;
    private final String detail;

    private DependencyStatus(boolean up, String detail) {
        this.up = up;
        this.detail = Objects.requireNonNull(detail, "detail");
    }

    /** Up, with a detail such as the address in use. */
    public static DependencyStatus up(String detail) {
        return new DependencyStatus(true, detail);
    }

    /** Down, and why. */
    public static DependencyStatus down(String detail) {
        return new DependencyStatus(false, detail);
    }

    public boolean isUp() {
        return up;
    }

    /** The detail; empty when there is none. */
    public String detail() {
        return detail;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DependencyStatus && ((DependencyStatus) o).up == up
                && ((DependencyStatus) o).detail.equals(detail);
    }

    @Override
    public int hashCode() {
        return Boolean.hashCode(up) * 31 + detail.hashCode();
    }

    @Override
    public String toString() {
        return (up ? "up" : "down") + (detail.isEmpty() ? "" : " (" + detail + ")");
    }
}
