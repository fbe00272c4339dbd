package io.cdpaccess.store;

import io.cdpaccess.db.Where;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Which grants a revocation or an extension targets: one grant by id, or a user's grants on an
 * instance for one project or for every project.
 */
public record GrantSelector(
        Optional<String> id,
        Optional<String> instance,
        Optional<String> user,
        OptionalLong projectId,
        boolean allProjects) {

    /** A selector names one grant, or a user on an instance: never "every grant of everyone". */
    public GrantSelector {
        if (id.isEmpty() && (instance.isEmpty() || user.isEmpty() || (projectId.isEmpty() != allProjects))) {
            throw new IllegalArgumentException(
                    "a revocation or an extension names a grant id, or an instance, a user and a project "
                            + "(or every project)");
        }
    }

    public static GrantSelector byId(String id) {
        return new GrantSelector(Optional.of(id), Optional.empty(), Optional.empty(), OptionalLong.empty(), false);
    }

    /** The user's grants for one project (project-specific grants only, not every-project grants). */
    public static GrantSelector forProject(String instance, String user, long projectId) {
        return new GrantSelector(
                Optional.empty(), Optional.of(instance), Optional.of(user), OptionalLong.of(projectId), false);
    }

    /** The user's every-project grants on an instance. */
    public static GrantSelector allProjects(String instance, String user) {
        return new GrantSelector(
                Optional.empty(), Optional.of(instance), Optional.of(user), OptionalLong.empty(), true);
    }

    /** The rows to look at: the one grant, or all of the user's on the instance. */
    Where where() {
        return id.isPresent()
                ? GrantTable.byId(id.get())
                : GrantTable.where(Optional.of(instance.orElseThrow()), Optional.of(user.orElseThrow()));
    }

    boolean matchesProject(Grant g) {
        if (id.isPresent()) {
            return true;
        }
        return allProjects ? g.projectId().isEmpty() : g.projectId().equals(projectId);
    }

    @Override
    public String toString() {
        return id.map(i -> "grant " + i)
                .orElseGet(() -> instance.orElse("?") + "/" + user.orElse("?") + " project="
                        + (allProjects ? "*" : projectId.isPresent() ? Long.toString(projectId.getAsLong()) : "?"));
    }
}
