package dev.flotilla.cli;

import dev.flotilla.client.ClientSettings;
import dev.flotilla.client.FlotillaClient;
import dev.flotilla.core.client.ClientApp;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the tests that kill a {@code flotilla server} process and resume it share: the server as a process of its
 * own, the in-JVM clients that reconnect to it, and a client update that depends only on the model and the client.
 */
final class ServerProcesses {
  private ServerProcesses() {}

  /** A server process, its log, and the round (or version) lines it printed, in order. */
  record Server(Process process, Path log, List<Integer> rounds, Map<Integer, CompletableFuture<Void>> lines) {
    /** Completes when the server has printed its line for {@code round}. */
    CompletableFuture<Void> roundLine(int round) {
      return lines.get(round);
    }
  }

  /**
   * Starts {@code flotilla server args} in a JVM of its own on the test's class path, copies its output to
   * {@code log} and notes every {@code round r/total} line for rounds 0 to {@code total}.
   */
  static Server start(List<String> args, int total, Path log, String name) throws IOException {
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    String javaCommand = ProcessHandle.current().info().command().orElse("java");
    List<String> command = new ArrayList<>(List.of(javaCommand, "-Xmx256m", "-XX:+UseSerialGC", "-cp", classpath,
        Main.class.getName(), "server"));
    command.addAll(args);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    List<Integer> rounds = new CopyOnWriteArrayList<>();
    Map<Integer, CompletableFuture<Void>> lines = new ConcurrentHashMap<>();
    for (int r = 0; r <= total; r++) {
      lines.put(r, new CompletableFuture<>());
    }
    Pattern roundLine = Pattern.compile("^round\\s+(\\d+)/" + total);
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
              StandardCharsets.UTF_8));
          PrintWriter copy = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8), true)) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          copy.println(line);
          Matcher m = roundLine.matcher(line);
          if (m.find()) {
            int round = Integer.parseInt(m.group(1));
            rounds.add(round);
            lines.get(round).complete(null);
          }
        }
      } catch (IOException e) {
        // the process was killed: its output ends
      }
    }, "server-output-" + name);
    reader.setDaemon(true);
    reader.start();
    return new Server(process, log, rounds, lines);
  }

  /** A free port on the loopback interface. */
  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /**
   * Runs {@code count} clients {@code site-0, site-1, …} of 127.0.0.1:{@code port} on {@code threads}, client
   * {@code i} serving {@code apps.apply(i)} and reconnecting quickly when the server goes away; each future
   * completes when its client is done.
   */
  static List<CompletableFuture<Void>> startClients(int port, int count, IntFunction<ClientApp> apps,
      Executor threads) {
    List<CompletableFuture<Void>> done = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ClientSettings settings = ClientSettings.builder("127.0.0.1:" + port, "site-" + i)
          .reconnect(Duration.ofMillis(100), Duration.ofMillis(500)).build();
      ClientApp app = apps.apply(i);
      done.add(CompletableFuture.runAsync(() -> {
        try (FlotillaClient client = new FlotillaClient(settings, app)) {
          client.run();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, threads));
    }
    return done;
  }

  /**
   * Client {@code index}'s update of {@code model}: it depends only on the two, so a round repeated from the same
   * model gives the same update.
   */
  static ModelWeights deterministicUpdate(ModelWeights model, int index) {
    List<Tensor> out = new ArrayList<>();
    for (Tensor t : model.tensors()) {
      float[] v = t.toArray();
      for (int j = 0; j < v.length; j++) {
        v[j] = 0.9f * v[j] + 0.01f * (index + 1) * ((j % 7) - 3);
      }
      out.add(Tensor.wrap(t.spec(), v));
    }
    return ModelWeights.of(out);
  }
}
