package dev.flotilla.bench.w3;

import dev.flotilla.client.ClientSettings;
import dev.flotilla.client.FlotillaClient;
import java.util.Set;

/**
 * A client process of workload W3 ({@code bench/w3.sh}): a {@link FlotillaClient} serving {@link PlusDeltaApp} for
 * client {@code --cid} (0-based) until the server finishes the run.
 * <pre>{@code
 * java -cp flotilla-bench/target/benchmarks.jar dev.flotilla.bench.w3.W3Client --server 127.0.0.1:18400 --cid 0
 * }</pre>
 */
public final class W3Client {
  private W3Client() {}

  /** Runs the client process; see the class comment for the options. */
  public static void main(String[] args) throws InterruptedException {
    int cid;
    ClientSettings settings;
    try {
      W3Options a = W3Options.parse(args, Set.of("server", "cid", "chunk-kib", "window-kib"));
      cid = a.integer("cid", 0, 0);
      ClientSettings.Builder builder = ClientSettings.builder(a.string("server", "127.0.0.1:18400"), "client-" + cid);
      if (a.has("chunk-kib")) {
        builder.chunkBytes(a.integer("chunk-kib", 0, 1) << 10);
      }
      if (a.has("window-kib")) {
        builder.flowControlWindowBytes(a.integer("window-kib", 0, 1) << 10);
      }
      settings = builder.build();
    } catch (IllegalArgumentException e) {
      W3Options.exitOnBadOptions("W3Client", e);
      return;
    }
    try (FlotillaClient client = new FlotillaClient(settings, new PlusDeltaApp(cid))) {
      client.run();
    }
    System.out.printf("CLIENT_DONE cid=%d peak_rss_mib=%.1f thread_cpu_s: %s%n", cid,
        W3Server.Memory.residentMib("VmHWM"), ThreadCpu.describe());
  }
}
