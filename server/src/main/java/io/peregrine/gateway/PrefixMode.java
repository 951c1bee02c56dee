package io.peregrine.gateway;

/** When a federated tool or prompt name starts with its upstream's prefix. */
public enum PrefixMode {
    /** Every name: {@code peri_echo}. The default. */
    ALWAYS,
    /** Only a name that another upstream or a local tool also has; the others keep their own name. */
    COLLISION,
    /** No name; one that another upstream or a local tool also has stops start-up, naming both. */
    NEVER
}
