package dev.flotilla.cli;

import dev.flotilla.client.ClientSettings;
import dev.flotilla.client.FlotillaClient;
import dev.flotilla.core.message.Config;
import dev.flotilla.djl.data.ClientDataFolder;
import dev.flotilla.transport.security.ClientKey;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code flotilla client}: one site of a deployed run, training with DJL on its own data folder. */
@Command(name = "client", mixinStandardHelpOptions = true,
    description = "Join a federated run: train on local data when the server asks, until the run is over.")
final class ClientCommand implements Callable<Integer> {
  @Option(names = "--server-address", required = true, description = "The server as host:port.")
  String serverAddress;

  @Option(names = "--data-dir", required = true,
      description = "This client's data folder, as written by 'flotilla partition'.")
  Path dataDir;

  @Option(names = "--client-id",
      description = "Identity of this client (default: the id of --key-dir's key, else the data folder's name).")
  String clientId;

  @Option(names = "--seed", description = "Seed of local shuffling (default: derived from the client id).")
  Long seed;

  @Option(names = "--mod", description = "A client mod, repeatable, innermost last: byzantine:ATTACK (ATTACK one of"
      + " signflip, scale:FACTOR, gaussian:STD, labelflip; for robustness trials); dp-clip (clip updates as a server"
      + " with --dp central-client-clip asks); local-dp:clip=C,noise=Z[,delta=D][,epsilon=E] (local differential"
      + " privacy with this client's own budget).")
  List<String> mods = new ArrayList<>();

  @Mixin
  ClientSecurityOptions security;

  @Override
  public Integer call() throws Exception {
    ClientKey key = security.key();
    if (key != null && clientId != null && !clientId.equals(key.clientId())) {
      throw new IllegalArgumentException("--client-id '" + clientId + "' differs from the id '" + key.clientId()
          + "' that the key in " + security.keyDir + " proves");
    }
    String id = clientId != null ? clientId : key != null ? key.clientId()
        : dataDir.toAbsolutePath().normalize().getFileName().toString();
    ClientSettings.Builder builder = security.apply(ClientSettings.builder(serverAddress, id), serverAddress);
    ClientDataFolder data = ClientDataFolder.read(dataDir);
    ClientSettings settings = builder.properties(Config.of("num_examples", data.train().size())).key(key).build();
    long localSeed = seed != null ? seed : id.hashCode();
    try (DjlAppByModel app = new DjlAppByModel(data, localSeed);
        FlotillaClient client = new FlotillaClient(settings, app, ClientMods.parse(mods, localSeed))) {
      System.out.printf("client %s: %d training examples, connecting to %s%n", id, data.train().size(),
          serverAddress);
      client.run();
    }
    System.out.printf("client %s: the server finished the run%n", id);
    return 0;
  }
}
