package dev.flotilla.cli;

import dev.flotilla.client.ClientSettings;
import dev.flotilla.client.FlotillaClient;
import dev.flotilla.core.message.Config;
import dev.flotilla.djl.data.ClientDataFolder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
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

  @Option(names = "--client-id", description = "Identity of this client (default: the data folder's name).")
  String clientId;

  @Option(names = "--seed", description = "Seed of local shuffling (default: derived from the client id).")
  Long seed;

  @Option(names = "--mod", description = "A client mod, repeatable, innermost last: byzantine:ATTACK (ATTACK one of"
      + " signflip, scale:FACTOR, gaussian:STD, labelflip; for robustness trials); dp-clip (clip updates as a server"
      + " with --dp central-client-clip asks); local-dp:clip=C,noise=Z[,delta=D][,epsilon=E] (local differential"
      + " privacy with this client's own budget).")
  List<String> mods = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    ClientDataFolder data = ClientDataFolder.read(dataDir);
    String id = clientId != null ? clientId : dataDir.toAbsolutePath().normalize().getFileName().toString();
    long localSeed = seed != null ? seed : id.hashCode();
    try (DjlAppByModel app = new DjlAppByModel(data, localSeed);
        FlotillaClient client = new FlotillaClient(ClientSettings.builder(serverAddress, id)
            .properties(Config.of("num_examples", data.train().size())).build(), app,
            ClientMods.parse(mods, localSeed))) {
      System.out.printf("client %s: %d training examples, connecting to %s%n", id, data.train().size(),
          serverAddress);
      client.run();
    }
    System.out.printf("client %s: the server finished the run%n", id);
    return 0;
  }
}
