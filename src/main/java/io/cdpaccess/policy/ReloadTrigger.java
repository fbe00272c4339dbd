package io.cdpaccess.policy;

import java.util.function.Supplier;

/**
 * Something whose change means a {@link LivePolicy} should load its policy again, looked at on
 * every tick: the configuration file's content, the store's count of {@code policy reload}
 * requests.
 */
public interface ReloadTrigger {

    /** What a reload it causes is logged as, e.g. {@code configuration file changed}. */
    String name();

    /**
     * The current state, compared with the last one seen (with {@code equals}); {@code null} when it
     * cannot be read now, which is neither a change nor a new state to remember.
     */
    Object state();

    /**
     * Whether a reload reads what this state describes, so that any reload (also one on SIGHUP)
     * makes the state current: true for the configuration file's content, false for a count of
     * requests, which moves only when someone asks.
     */
    boolean readByReload();

    /** A trigger named {@code name} whose state {@code state} reads. */
    static ReloadTrigger of(String name, boolean readByReload, Supplier<Object> state) {
        return new ReloadTrigger() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Object state() {
                return state.get();
            }

            @Override
            public boolean readByReload() {
                return readByReload;
            }
        };
    }
}
