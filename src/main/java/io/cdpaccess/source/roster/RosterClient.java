package io.cdpaccess.source.roster;

import io.cdpaccess.config.RosterSettings;
import io.cdpaccess.protocol.Username;
import io.cdpaccess.source.SourceAnswer;
import io.cdpaccess.source.SourceClient;
import io.cdpaccess.source.SourceException;
import io.cdpaccess.source.SourceHealth;
import io.cdpaccess.source.SourceKey;
import io.cdpaccess.time.Poller;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A roster file served from memory: the last good version, found by key in O(1), swapped for a
 * new one only once that is read completely and valid.
 *
 * <p>Every {@code reload_every} the file's version (time, size, file key) is compared with the
 * one last tried; a new version is read on the poller's thread while the old keeps serving, and
 * then replaces it in one reference write. A version that is refused (malformed, see {@link
 * RosterFile}) is logged once and not tried again; one that changed while it was read is tried
 * again at the next poll. While a newer file was refused, or the file is gone, the old roster
 * keeps serving and {@link #health} is stale with the reason. Until a first good version is read
 * (the file missing or bad at start) every lookup fails: decisions reading the source deny.
 */
public final class RosterClient implements SourceClient {

    private static final Logger log = LoggerFactory.getLogger(RosterClient.class);

    private record Serving(Roster roster, FileVersion version, Instant loadedAt) {}

    /** What serves, and the problem with what is on disk, if any, since when. */
    private record State(Optional<Serving> serving, Optional<String> problem, Instant problemSince) {}

    private final String name;
    private final RosterSettings settings;
    private final Path path;
    private final Clock clock;
    private volatile State state;
    private final Poller poller;

    /** The version last read, good or refused (guarded by this). */
    private FileVersion tried;

    /** The problem last logged, so that each is logged once (guarded by this). */
    private String logged;

    private RosterClient(String name, RosterSettings settings, Clock clock) {
        this.name = name;
        this.settings = settings;
        this.path = settings.file();
        this.clock = clock;
        this.state = new State(Optional.empty(), Optional.of("not read yet"), clock.instant());
        check();
        this.poller = Poller.start("cdp-access-roster-" + name, settings.reloadEvery(), this::check);
    }

    /** Reads the file now and then every {@code reload_every}; never fails: a bad file fails lookups. */
    public static RosterClient open(String name, RosterSettings settings, Clock clock) {
        return new RosterClient(name, settings, clock);
    }

    @Override
    public SourceAnswer lookup(SourceKey key) throws SourceException {
        State s = state;
        if (s.serving().isEmpty()) {
            throw new SourceException(
                    "no good roster loaded yet: " + s.problem().orElse("not read yet"));
        }
        return s.serving().get().roster().answer(Username.normalize(key.user()));
    }

    @Override
    public SourceHealth health() {
        State s = state;
        Optional<SourceHealth.Loaded> loaded = s.serving()
                .map(v -> new SourceHealth.Loaded(v.loadedAt(), v.roster().rows()));
        if (s.problem().isEmpty()) {
            return loaded.map(SourceHealth::current).orElse(SourceHealth.CURRENT);
        }
        String reason = loaded.map(l -> "serving the roster loaded at " + l.at() + " (" + l.rows() + " rows): ")
                        .orElse("no good roster loaded yet: ")
                + s.problem().get();
        return SourceHealth.stale(reason, s.problemSince(), loaded);
    }

    /**
     * Reads the file if its version is new: swaps it in when it is good, else keeps the last good
     * one and records why. The poller calls it; tests may too.
     */
    synchronized void check() {
        Instant now = clock.instant();
        FileVersion version;
        try {
            version = FileVersion.of(path);
        } catch (NoSuchFileException e) {
            problem(now, "the file " + path + " is not there");
            return;
        } catch (IOException e) {
            problem(now, "cannot read " + path + ": " + e.getMessage());
            return;
        }
        State s = state;
        if (s.serving().isPresent() && s.serving().get().version().equals(version)) {
            if (s.problem().isPresent()) { // the good file is back (renamed back, say)
                state = new State(s.serving(), Optional.empty(), now);
                logged = null;
                log.info("source '{}': {} is the roster serving again", name, path);
            }
            return;
        }
        if (version.equals(tried)) {
            return;
        }
        long start = System.nanoTime();
        Roster roster;
        try {
            roster = RosterFile.read(path, settings);
            if (!FileVersion.of(path).equals(version)) {
                return; // written while read: read the finished file at the next poll
            }
        } catch (RosterFormatException e) {
            tried = version;
            problem(now, "refused " + e.getMessage());
            return;
        } catch (IOException e) {
            problem(now, "cannot read " + path + ": " + e.getMessage());
            return;
        }
        tried = version;
        state = new State(Optional.of(new Serving(roster, version, now)), Optional.empty(), now);
        logged = null;
        log.info(
                "source '{}': loaded {} rows from {} in {} ms",
                name,
                roster.rows(),
                path,
                (System.nanoTime() - start) / 1_000_000);
    }

    private void problem(Instant now, String problem) {
        State s = state;
        Instant since = s.problem().isPresent() ? s.problemSince() : now;
        state = new State(s.serving(), Optional.of(problem), since);
        if (!problem.equals(logged)) {
            logged = problem;
            log.warn(
                    "source '{}': {}; {}",
                    name,
                    problem,
                    s.serving().isPresent()
                            ? "the roster loaded at " + s.serving().get().loadedAt() + " keeps serving"
                            : "decisions that read it deny until a good file is there");
        }
    }

    @Override
    public void close() {
        poller.close();
    }
}
