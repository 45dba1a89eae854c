package io.tracestitch.model;

/**
 * A span's claim that it published or received one message. {@code system} is lower case and
 * {@code destination} normalised (see {@link Destinations}); {@link #joinKey()} is what pairs a
 * publisher with its receivers inside one tenant (derived, not stored: spans wait in state).
 */
public record MessageRef(String tenant, String system, boolean publish, String destination, String id) {

    public static MessageRef of(String tenant, String system, boolean publish, String destination, String id) {
        String normalisedSystem = Destinations.system(system);
        return new MessageRef(tenant, normalisedSystem, publish, Destinations.normalise(normalisedSystem, destination), id);
    }

    public JoinKey joinKey() {
        return JoinKey.of(tenant, system, destination, id);
    }

    public String operation() {
        return publish ? "publish" : "receive";
    }
}
