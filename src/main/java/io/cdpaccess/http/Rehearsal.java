package io.cdpaccess.http;

import io.cdpaccess.access.UserAccess;
import io.cdpaccess.config.InstanceConfig;
import io.cdpaccess.decision.Decider;
import io.cdpaccess.meters.RequestMeters;

/**
 * What answers the warm-up's rehearsals of REDCap's call ({@link Rehearsals}): a
 * {@link UserAccess} of their own, whose caller is {@code instance} under {@code secret} and whose
 * records are rolled back, and meters on a registry nobody reads; and the {@code decider} it
 * decides with, the service's policy on a store and sources of the warm-up's own. So a rehearsal
 * runs every step REDCap's call does and leaves no row, no count, no decision line, no lookup at
 * a real source.
 *
 * @param secret the rehearsals' own secret, made at start, never configured and never written
 */
public record Rehearsal(
        UserAccess userAccess, Decider decider, RequestMeters meters, InstanceConfig instance, String secret) {

    @Override
    public String toString() {
        return "Rehearsal[" + instance.name() + "]";
    }
}
