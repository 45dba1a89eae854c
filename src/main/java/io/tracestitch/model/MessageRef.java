package io.tracestitch.model;

/**
 * A span's claim that it published or received one message. {@code system} is lower case and
 * {@code destination} normalised (see {@link Destinations}); {@code joinKey} is what pairs a
 * publisher with its receivers inside one tenant.
 */
public record MessageRef(String system, boolean publish, String destination, String id, String joinKey) {

    public static MessageRef of(String tenant, String system, boolean publish, String destination, String id) {
        String normalisedSystem = Destinations.system(system);
        String normalisedDestination = Destinations.normalise(normalisedSystem, destination);
        return new MessageRef(normalisedSystem, publish, normalisedDestination, id,
                Destinations.joinKey(tenant, normalisedSystem, normalisedDestination, id));
    }

    public String operation() {
        return publish ? "publish" : "receive";
    }
}
