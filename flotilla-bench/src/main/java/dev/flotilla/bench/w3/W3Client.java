package dev.flotilla.bench.w3;

import dev.flotilla.client.ClientSettings;
import dev.flotilla.client.FlotillaClient;
import java.util.Map;

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
    Map<String, String> a = W3Server.options(args);
    int cid = Integer.parseInt(a.getOrDefault("cid", "0"));
    String target = a.getOrDefault("server", "127.0.0.1:18400");
    ClientSettings settings = transportOptions(ClientSettings.builder(target, "client-" + cid), a).build();
    try (FlotillaClient client = new FlotillaClient(settings, new PlusDeltaApp(cid))) {
      client.run();
    }
    System.out.printf("CLIENT_DONE cid=%d peak_rss_mib=%.1f thread_cpu_s: %s%n", cid,
        W3Server.Memory.residentMib("VmHWM"), ThreadCpu.describe());
  }

  private static ClientSettings.Builder transportOptions(ClientSettings.Builder settings, Map<String, String> a) {
    if (a.containsKey("chunk-kib")) {
      settings.chunkBytes(Integer.parseInt(a.get("chunk-kib")) << 10);
    }
    if (a.containsKey("window-kib")) {
      settings.flowControlWindowBytes(Integer.parseInt(a.get("window-kib")) << 10);
    }
    return settings;
  }
}
