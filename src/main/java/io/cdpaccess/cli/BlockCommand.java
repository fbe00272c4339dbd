package io.cdpaccess.cli;

import io.cdpaccess.config.ServiceConfig;
import io.cdpaccess.store.Block;
import io.cdpaccess.store.Store;
import java.time.Instant;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code block add|remove|list}: deny a user everywhere, whatever their grants, until lifted. */
@Command(
        name = "block",
        description = "Deny a user on every instance until the block is removed.",
        subcommands = {BlockCommand.Add.class, BlockCommand.Remove.class, BlockCommand.ListBlocks.class})
final class BlockCommand {

    /** The options both add and remove take. */
    abstract static class Change extends ConfiguredCommand {
        @Option(names = "--user", required = true, paramLabel = "USERNAME")
        String user;

        @Mixin
        Options.Reason reason;

        @Mixin
        Options.Actor actor;

        Change(CliContext context) {
            super(context);
        }

        @Override
        final int run(ServiceConfig config) throws Exception {
            apply(config, Inputs.username(user), reason.value(), actor.value());
            return 0;
        }

        abstract void apply(ServiceConfig config, String username, String why, String actor) throws Exception;
    }

    @Command(name = "add", description = "Block a user.")
    static final class Add extends Change {
        Add(CliContext context) {
            super(context);
        }

        @Override
        void apply(ServiceConfig config, String username, String why, String actor) throws Exception {
            Store.BlockOutcome outcome = withStore(config, (db, store) -> store.addBlock(username, why, actor));
            Block b = outcome.block();
            print(
                    outcome.created()
                            ? "blocked " + Table.shown(b.user()) + " (" + b.id() + ")"
                            : Table.shown(b.user()) + " was already blocked since " + b.blockedAt() + " by "
                                    + Table.shown(b.blockedBy()) + " ("
                                    + b.id() + "); nothing changed");
        }
    }

    @Command(name = "remove", description = "Lift a user's block (kept on the record as lifted).")
    static final class Remove extends Change {
        Remove(CliContext context) {
            super(context);
        }

        @Override
        void apply(ServiceConfig config, String username, String why, String actor) throws Exception {
            List<Block> lifted = withStore(config, (db, store) -> store.liftBlocks(username, why, actor));
            if (lifted.isEmpty()) {
                throw new UserError(username + " is not blocked; see: block list");
            }
            print("unblocked " + Table.shown(username));
        }
    }

    @Command(name = "list", description = "List active blocks (--all: also lifted ones).")
    static final class ListBlocks extends ConfiguredCommand {
        @Option(names = "--all", description = "include lifted blocks")
        boolean all;

        ListBlocks(CliContext context) {
            super(context);
        }

        @Override
        int run(ServiceConfig config) throws Exception {
            Table table = new Table("ID", "USER", "SINCE", "BY", "REASON", "LIFTED", "LIFTED_BY");
            for (Block b : withStore(config, (db, store) -> store.listBlocks(all))) {
                table.row(
                        b.id(),
                        b.user(),
                        b.blockedAt(),
                        b.blockedBy(),
                        b.reason(),
                        b.liftedAt().map(Instant::toString).orElse("-"),
                        b.liftedBy().orElse("-"));
            }
            table.print(out());
            return 0;
        }
    }
}
