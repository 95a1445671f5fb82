package dev.turnout.upstream;

/** Whom a call to an upstream serves: the {@code role} label of the request meters. */
public enum Role {
    /** The client's own answer. */
    PRIMARY("primary"),
    /** A copy to a candidate version, compared with the primary and never shown to the client. */
    SHADOW("shadow"),
    /** The primary asked again, to measure how much it differs from itself. */
    NOISE("noise");

    private final String label;

    Role(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
