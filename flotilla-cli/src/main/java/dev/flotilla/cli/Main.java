package dev.flotilla.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine;

/** The {@code flotilla} command. */
@Command(name = "flotilla", mixinStandardHelpOptions = true, version = "flotilla 0.1.0",
    description = "Federated learning on the JVM.",
    subcommands = {DemoCommand.class, ServerCommand.class, ClientCommand.class, PartitionCommand.class,
        SimulateCommand.class, ChartCommand.class, PrivacyCommand.class, KeysCommand.class, CertsCommand.class,
        RunsCommand.class, ExportCommand.class, KeyHolderCommand.class, WarmUpCommand.class})
public final class Main {
  /** Exit code for a run that stopped on an error. */
  static final int USAGE_ERROR = 2;

  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns the exit code, for tests. */
  public static int run(String... args) {
    return new CommandLine(new Main())
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setExecutionExceptionHandler(Main::reportError)
        .execute(args);
  }

  /**
   * Bad input (an unknown scheme, a missing file, a bad option value) gets one line that names the problem;
   * anything else, a stack trace as well.
   */
  private static int reportError(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
    cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": " + e.getMessage());
    if (!(e instanceof IllegalArgumentException || e instanceof dev.flotilla.core.FlotillaException)) {
      e.printStackTrace(cmd.getErr());
    }
    cmd.getErr().flush();
    return USAGE_ERROR;
  }
}
