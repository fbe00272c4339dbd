package io.cdpaccess.cli;

import io.cdpaccess.audit.CheckpointKeys;
import io.cdpaccess.audit.Checkpointer;
import io.cdpaccess.config.ServiceConfig;
import io.cdpaccess.db.ChainedWriter;
import io.cdpaccess.db.Database;
import io.cdpaccess.protocol.UnsafeText;
import io.cdpaccess.store.Store;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * What every command that works on a configuration shares: the {@code --config} options, the
 * injected surroundings, and opening the store only after all input has been checked, so a
 * refused command never touches the database.
 */
abstract class ConfiguredCommand implements Callable<Integer> {

    final CliContext context;

    @Mixin
    ConfigOptions options;

    @Spec
    CommandSpec spec;

    ConfiguredCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public final Integer call() throws Exception {
        return run(options.load(context).config());
    }

    /** Checks the input, then does the work; returns the exit code. */
    abstract int run(ServiceConfig config) throws Exception;

    /** Work against the store. */
    @FunctionalInterface
    interface StoreWork<T> {
        T apply(Database database, Store store) throws Exception;
    }

    /** Opens the configured store, runs {@code work} and closes the store again. */
    <T> T withStore(ServiceConfig config, StoreWork<T> work) throws Exception {
        try (Database db = ConfigOptions.openStore(config)) {
            Store store = new Store(db, context.clock(), ChainedWriter.thisProcess("cli"));
            T result = work.apply(db, store);
            checkpoint(config, store);
            return result;
        }
    }

    /**
     * A command that changed the store checkpoints its chain of change records to the configured
     * file and syslog server (not to its standard error: a person's terminal), signed with the
     * server's key if there is one yet.
     */
    private void checkpoint(ServiceConfig config, Store store) {
        List<Checkpointer.Sink> sinks = Checkpointer.sinks(
                false, config.audit().checkpointFile(), config.audit().checkpointSyslog());
        if (store.changesHead().isEmpty() || sinks.isEmpty()) {
            return;
        }
        CheckpointKeys keys = new CheckpointKeys(config.dataDir());
        Checkpointer.KeySource key = () -> keys.existing()
                .orElseThrow(() -> new IOException(
                        "no checkpoint key in " + keys.directory() + " yet (the server makes it at its first start)"));
        new Checkpointer(
                        List.of(new Checkpointer.Writer("changes", store::changesHead)),
                        key,
                        sinks,
                        clock(),
                        Duration.ZERO)
                .close();
    }

    Clock clock() {
        return context.clock();
    }

    /** Prints lines to the command's standard output. */
    /**
     * Prints each line with its unsafe characters escaped ({@link UnsafeText}): lines carry text
     * from files and the store (case names, rule names, users), and a bidi override or a line
     * break in it must not reorder or forge what a person reads.
     */
    void print(String... lines) {
        PrintWriter out = spec.commandLine().getOut();
        for (String line : lines) {
            out.println(UnsafeText.escape(line));
        }
        out.flush();
    }

    /**
     * Writes an export to standard output, or with {@code output} to that file (complete or not
     * at all, see {@link OutputFile}), then says on standard error how many {@code what} it wrote.
     */
    void export(Path output, String what, OutputFile.Content content) throws Exception {
        if (output == null) {
            content.write(out());
            out().flush();
            return;
        }
        long n = OutputFile.write(output, content);
        spec.commandLine().getErr().println("wrote " + n + " " + what + " to " + output.toAbsolutePath());
        spec.commandLine().getErr().flush();
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }
}
