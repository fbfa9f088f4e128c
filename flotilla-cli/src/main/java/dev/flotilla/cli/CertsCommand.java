package dev.flotilla.cli;

import dev.flotilla.core.FlotillaException;
import dev.flotilla.transport.security.PemFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code flotilla certs}: certificates for trying TLS. {@code certs generate} makes a throwaway CA and a server
 * certificate it signed ({@link TrialCertificates}), and client certificates for mutual TLS, as PEM files.
 */
@Command(name = "certs", mixinStandardHelpOptions = true, synopsisSubcommandLabel = "COMMAND",
    description = "TLS certificates for trials: a throwaway CA and the certificates it signs.",
    subcommands = CertsCommand.Generate.class)
final class CertsCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "name a subcommand: generate");
  }

  /** {@code flotilla certs generate --out DIR [--host NAME ...] [--client NAME ...] [--days N]}. */
  @Command(name = "generate", mixinStandardHelpOptions = true,
      description = "Make a throwaway CA (ca.pem, and ca-key.pem, which stays private) and a server certificate"
          + " signed by it (server.pem, server-key.pem) for 127.0.0.1, localhost and every --host; with --client,"
          + " client certificates for mutual TLS (client-NAME.pem, client-NAME-key.pem). For trials: a real"
          + " deployment uses certificates from the organisation's CA.")
  static final class Generate implements Callable<Integer> {
    private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder for the PEM files.")
    Path out;

    @Option(names = "--host", paramLabel = "NAME",
        description = "A DNS name or IP address that clients dial the server by (repeatable).")
    List<String> hosts = new ArrayList<>();

    @Option(names = "--client", paramLabel = "NAME",
        description = "Also make a client certificate for NAME (repeatable).")
    List<String> clients = new ArrayList<>();

    @Option(names = "--days", defaultValue = "365", description = "Days the certificates are valid"
        + " (default: ${DEFAULT-VALUE}).")
    int days;

    @Override
    public Integer call() {
      if (days < 1) {
        throw new IllegalArgumentException("--days must be at least 1, got " + days);
      }
      hosts.forEach(TrialCertificates::generalName); // a bad --host fails before any file is written
      for (String name : new LinkedHashSet<>(clients)) {
        if (!FILE_NAME.matcher(name).matches()) {
          throw new IllegalArgumentException("--client '" + name + "' must be 1 to 64 letters, digits, '.', '_' or"
              + " '-', since it names files");
        }
      }
      List<String> files = new ArrayList<>(List.of("ca.pem", "ca-key.pem", "server.pem", "server-key.pem"));
      clients.forEach(c -> files.addAll(List.of("client-" + c + ".pem", "client-" + c + "-key.pem")));
      for (String f : files) {
        if (Files.exists(out.resolve(f))) {
          throw new FlotillaException(out.resolve(f) + " already exists; remove it or choose another --out");
        }
      }
      Duration validity = Duration.ofDays(days);
      TrialCertificates.Issued ca = TrialCertificates.newCa(validity);
      write(ca, "ca");
      write(TrialCertificates.issueServer(ca, hosts, validity), "server");
      for (String client : new LinkedHashSet<>(clients)) {
        write(TrialCertificates.issueClient(ca, client, validity), "client-" + client);
      }
      List<String> names = new ArrayList<>(TrialCertificates.DEFAULT_HOSTS);
      hosts.stream().filter(h -> !names.contains(h)).forEach(names::add);
      System.out.printf("wrote a trial CA and certificates valid for %d days to %s:%n", days, out);
      System.out.println("  ca.pem                      the CA certificate: what clients (and, for mutual TLS, the"
          + " server) trust");
      System.out.println("  ca-key.pem                  the CA's private key: keep it private; delete it once no"
          + " more certificates are needed");
      System.out.println("  server.pem, server-key.pem  the server's certificate and key, for " + String.join(", ",
          names));
      for (String client : new LinkedHashSet<>(clients)) {
        System.out.printf("  client-%s.pem, client-%s-key.pem  the certificate and key of client %s%n", client, client,
            client);
      }
      return 0;
    }

    private void write(TrialCertificates.Issued issued, String name) {
      PemFiles.writeCertificates(out.resolve(name + ".pem"), List.of(issued.certificate()));
      PemFiles.writePrivateKey(out.resolve(name + "-key.pem"), issued.key());
    }
  }
}
