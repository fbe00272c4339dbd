package io.cdpaccess.store;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An immutable, indexed copy of the store's grants, projects and blocks at one version. The
 * decision path reads only this: a lookup is a hash probe, so its cost does not grow with the
 * number of grants. A new snapshot replaces the old one atomically; a request sees one or the
 * other, never a mix.
 */
public final class StoreSnapshot {

    private final long version;
    private final Map<UserKey, List<Grant>> grantsByUser;
    private final Map<ProjectKey, Project> projects;
    private final Map<String, Block> activeBlocks;
    private final List<Grant> grants;

    private record UserKey(String instance, String user) {}

    private record ProjectKey(String instance, long projectId) {}

    public StoreSnapshot(long version, List<Grant> grants, List<Project> projects, List<Block> blocks) {
        this.version = version;
        Map<UserKey, List<Grant>> byUser = new HashMap<>();
        for (Grant g : grants) {
            byUser.computeIfAbsent(new UserKey(g.instance(), g.user()), k -> new ArrayList<>(2))
                    .add(g);
        }
        byUser.replaceAll((k, v) -> List.copyOf(v));
        this.grantsByUser = Map.copyOf(byUser);
        Map<ProjectKey, Project> byProject = new HashMap<>();
        for (Project p : projects) {
            byProject.put(new ProjectKey(p.instance(), p.projectId()), p);
        }
        this.projects = Map.copyOf(byProject);
        Map<String, Block> blocked = new HashMap<>();
        for (Block b : blocks) {
            if (b.active()) {
                blocked.putIfAbsent(b.user(), b);
            }
        }
        this.activeBlocks = Map.copyOf(blocked);
        this.grants = List.copyOf(grants);
    }

    public long version() {
        return version;
    }

    /** Every grant (active, ended or revoked) of a normalized user on an instance. */
    public List<Grant> grants(String instance, String normalizedUser) {
        return grantsByUser.getOrDefault(new UserKey(instance, normalizedUser), List.of());
    }

    public Optional<Project> project(String instance, long projectId) {
        return Optional.ofNullable(projects.get(new ProjectKey(instance, projectId)));
    }

    /** The active block of a normalized user, if any. */
    public Optional<Block> block(String normalizedUser) {
        return Optional.ofNullable(activeBlocks.get(normalizedUser));
    }

    public int grantCount() {
        return grants.size();
    }

    /** Every grant of every user, as read (an access review walks them all). */
    public List<Grant> grants() {
        return grants;
    }
}
