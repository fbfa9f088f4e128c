package dev.flotilla.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code flotilla} command. */
@Command(name = "flotilla", mixinStandardHelpOptions = true, version = "flotilla 0.1.0",
    description = "Federated learning on the JVM.",
    subcommands = {DemoCommand.class, ServerCommand.class, ClientCommand.class, PartitionCommand.class})
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns the exit code, for tests. */
  public static int run(String... args) {
    return new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
  }
}
