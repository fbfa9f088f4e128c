package dev.flotilla.cli;

import dev.flotilla.transport.security.ClientKey;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code flotilla keys}: client keys for authentication by key. {@code keys generate} makes a client's Ed25519 key
 * pair ({@link ClientKey}): {@code client.key}, which stays on the client, and {@code client.pub}, the line that the
 * server's operator adds to the authorized keys file.
 */
@Command(name = "keys", mixinStandardHelpOptions = true, synopsisSubcommandLabel = "COMMAND",
    description = "Client keys: a client proves its id by signing the server's challenge with its key.",
    subcommands = KeysCommand.Generate.class)
final class KeysCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "name a subcommand: generate");
  }

  /** {@code flotilla keys generate --out DIR [--client-id ID]}. */
  @Command(name = "generate", mixinStandardHelpOptions = true,
      description = "Make a client key pair: DIR/client.key (private, mode 600: keep it on the client) and"
          + " DIR/client.pub (one line, 'ed25519 KEY CLIENT-ID', for the server's authorized keys file).")
  static final class Generate implements Callable<Integer> {
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder for the two key files.")
    Path out;

    @Option(names = "--client-id", paramLabel = "ID",
        description = "The client id the key proves (default: the name of the --out folder).")
    String clientId;

    @Override
    public Integer call() {
      String id = clientId != null ? clientId : out.toAbsolutePath().normalize().getFileName().toString();
      ClientKey key = ClientKey.generate(id);
      key.write(out);
      System.out.printf("wrote the key of client '%s': %s (private: keep it on the client) and %s%n", id,
          out.resolve(ClientKey.PRIVATE_KEY_FILE), out.resolve(ClientKey.PUBLIC_KEY_FILE));
      System.out.println("add this line to the server's authorized keys file:");
      System.out.println(key.authorizedKey().toLine());
      return 0;
    }
  }
}
