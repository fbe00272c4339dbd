package io.cdpaccess.cli;

import io.cdpaccess.config.ServiceConfig;
import io.cdpaccess.store.Block;
import io.cdpaccess.store.Database;
import io.cdpaccess.store.Store;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code block add|remove|list}: deny a user everywhere, whatever their grants, until lifted. */
@Command(name = "block", description = "Deny a user on every instance until the block is removed.",
        subcommands = {BlockCommand.Add.class, BlockCommand.Remove.class, BlockCommand.ListBlocks.class})
final class BlockCommand {

    @Command(name = "add", description = "Block a user.")
    static final class Add implements Callable<Integer> {
        private final CliContext context;
        @Mixin ConfigOptions options;
        @Spec CommandSpec spec;

        @Option(names = "--user", required = true, paramLabel = "USERNAME")
        String user;
        @Option(names = "--reason", required = true, description = "why; kept on the record")
        String reason;
        @Option(names = "--by", description = "who is blocking (default: your system account)")
        String by;

        Add(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() throws Exception {
            ServiceConfig config = options.load(context).config();
            String username = Inputs.username(user);
            String why = Inputs.text(reason, "--reason", 1000);
            String actor = Inputs.actor(by);
            try (Database db = ConfigOptions.openStore(config)) {
                Store.BlockOutcome outcome = new Store(db, context.clock()).addBlock(username, why, actor);
                Block b = outcome.block();
                PrintWriter out = spec.commandLine().getOut();
                out.println(outcome.created() ? "blocked " + b.user() + " (" + b.id() + ")"
                        : b.user() + " was already blocked since " + b.blockedAt() + " by " + b.blockedBy()
                                + " (" + b.id() + "); nothing changed");
                out.flush();
            }
            return 0;
        }
    }

    @Command(name = "remove", description = "Lift a user's block (kept on the record as lifted).")
    static final class Remove implements Callable<Integer> {
        private final CliContext context;
        @Mixin ConfigOptions options;
        @Spec CommandSpec spec;

        @Option(names = "--user", required = true, paramLabel = "USERNAME")
        String user;
        @Option(names = "--reason", required = true, description = "why; kept on the record")
        String reason;
        @Option(names = "--by", description = "who is lifting the block (default: your system account)")
        String by;

        Remove(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() throws Exception {
            ServiceConfig config = options.load(context).config();
            String username = Inputs.username(user);
            String why = Inputs.text(reason, "--reason", 1000);
            String actor = Inputs.actor(by);
            try (Database db = ConfigOptions.openStore(config)) {
                List<Block> lifted = new Store(db, context.clock()).liftBlocks(username, why, actor);
                if (lifted.isEmpty()) {
                    throw new UserError(username + " is not blocked; see: block list");
                }
                PrintWriter out = spec.commandLine().getOut();
                out.println("unblocked " + username);
                out.flush();
            }
            return 0;
        }
    }

    @Command(name = "list", description = "List active blocks (--all: also lifted ones).")
    static final class ListBlocks implements Callable<Integer> {
        private final CliContext context;
        @Mixin ConfigOptions options;
        @Spec CommandSpec spec;

        @Option(names = "--all", description = "include lifted blocks")
        boolean all;

        ListBlocks(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() throws Exception {
            ServiceConfig config = options.load(context).config();
            try (Database db = ConfigOptions.openStore(config)) {
                Table table = new Table("ID", "USER", "SINCE", "BY", "REASON", "LIFTED", "LIFTED_BY");
                for (Block b : new Store(db, context.clock()).listBlocks(all)) {
                    table.row(b.id(), b.user(), b.blockedAt(), b.blockedBy(), b.reason(),
                            b.liftedAt().map(Instant::toString).orElse("-"), b.liftedBy().orElse("-"));
                }
                table.print(spec.commandLine().getOut());
            }
            return 0;
        }
    }
}
