package dev.flotilla.cli;

import dev.flotilla.client.ClientSettings;
import dev.flotilla.client.FlotillaClient;
import dev.flotilla.core.client.ClientApp;
import dev.flotilla.core.he.PaillierMod;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.MessageError;
import dev.flotilla.transport.security.ClientKey;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code flotilla key-holder}: a process that only holds the Paillier private key of a run with {@code --he paillier
 * --he-key-holder ID --he-dedicated-key-holder}: it connects as client {@code ID}, makes the key pair, and decrypts
 * the sums the server sends; it has no data and refuses to train or evaluate.
 */
@Command(name = "key-holder", mixinStandardHelpOptions = true,
    description = "Hold the Paillier key of a run with --he paillier: decrypt only the sums, never train.")
final class KeyHolderCommand implements Callable<Integer> {
  @Option(names = "--server-address", required = true, description = "The server as host:port.")
  String serverAddress;

  @Option(names = "--client-id", defaultValue = "key-holder",
      description = "The id the server names with --he-key-holder (default: ${DEFAULT-VALUE}).")
  String clientId;

  @Mixin
  ClientSecurityOptions security;

  @Override
  public Integer call() throws Exception {
    ClientKey key = security.key();
    String id = key != null ? key.clientId() : clientId;
    ClientSettings settings = security.apply(ClientSettings.builder(serverAddress, id), serverAddress).key(key).build();
    ClientApp refuse = (m, ctx) -> Message.error(MessageError.Code.BAD_REQUEST, "client '" + id
        + "' is a key holder: it decrypts sums and does not answer '" + m.type() + "'");
    try (FlotillaClient client = new FlotillaClient(settings, refuse, List.of(new PaillierMod()))) {
      System.out.printf("key holder %s: connecting to %s%n", id, serverAddress);
      client.run();
    }
    System.out.printf("key holder %s: the server finished the run%n", id);
    return 0;
  }
}
