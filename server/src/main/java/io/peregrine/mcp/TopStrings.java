package io.peregrine.mcp;

/**
 * The first two top-level members of a tool's arguments as their validation read them: each
 * member's name and, when its value is a string, that string. A tool's {@code string(name)} then
 * needs no further pass over the arguments for the members of a typical call; any other read (a
 * third member, a value that is not a string) reads the arguments as before.
 */
final class TopStrings {

    /** Longest string kept, in chars: a longer one is left to a tool that reads it. */
    static final int MAX_CHARS = 8192;

    /** Marks a member whose value is not a string: the reader reads it from the arguments. */
    static final String NOT_A_STRING = new String("not a string");

    private String name0;
    private String value0;
    private String name1;
    private String value1;
    /** How many top-level members the arguments have. */
    private int members;

    /**
     * The string a non-blocking parser is on (it has decoded the whole string by the time it names
     * it), or null when it is left to the tool's own read: longer than {@link #MAX_CHARS}, or
     * refused by the parser's limits (which the tool's read then reports).
     */
    static String text(com.fasterxml.jackson.core.JsonParser p) {
        try {
            return p.getTextLength() <= MAX_CHARS ? p.getText() : null;
        } catch (java.io.IOException e) {
            return null;
        }
    }

    /** A top-level member, in order: {@code value} is its string, or null when it is not one. */
    void member(String name, String value) {
        if (members == 0) {
            name0 = name;
            value0 = value == null ? NOT_A_STRING : value;
        } else if (members == 1) {
            name1 = name;
            value1 = value == null ? NOT_A_STRING : value;
        }
        members++;
    }

    /**
     * The string of the first member named {@code name}: null when the arguments surely have no
     * such member, {@link #NOT_A_STRING} when its value is something else or when these two
     * members cannot tell (the arguments have more).
     */
    String string(String name) {
        if (members > 0 && name.equals(name0)) {
            return value0;
        }
        if (members > 1 && name.equals(name1)) {
            return value1;
        }
        return members <= 2 ? null : NOT_A_STRING;
    }
}
