package dev.flotilla.workflow.secagg;

import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.message.TrainInstructions;
import dev.flotilla.core.secagg.MaskExpander;
import dev.flotilla.core.secagg.RingQuantizer;
import dev.flotilla.core.secagg.SecAggCrypto;
import dev.flotilla.core.secagg.SecAggMessages;
import dev.flotilla.core.secagg.SecAggSettings;
import dev.flotilla.core.secagg.Shamir;
import dev.flotilla.core.strategy.ClientFailure;
import dev.flotilla.core.strategy.ClientResult;
import dev.flotilla.core.strategy.ClientTask;
import dev.flotilla.core.strategy.RoundContext;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.core.tensor.TensorSpec;
import dev.flotilla.workflow.ClientRequest;
import dev.flotilla.workflow.Exchange;
import dev.flotilla.workflow.ReplyAllowance;
import dev.flotilla.workflow.ReplyConverter;
import dev.flotilla.workflow.ReplyStream;
import dev.flotilla.workflow.SyncSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One round of {@link SecAggPlusStage}: the server's side of the four exchanges and the unmasking. Clients are
 * numbered from 1 in task order; U1 ⊇ U2 ⊇ U3 are the clients that survived setup, sharing and masking. Made and run
 * once, on the workflow's thread.
 */
final class SecAggRound {
  /** The round cannot be aggregated safely; the message says why. */
  static final class FailedClosed extends RuntimeException {
    FailedClosed(String message) {
      super(message);
    }
  }

  /** The unmasked result: the new model ({@code global + mean update}), the clients summed, their total weight. */
  record Sum(ModelWeights model, int clients, double weight) {}

  /** A private key to check the clients' public keys with. */
  private static final byte[] PROBE_KEY = SecAggCrypto.privateBytes(SecAggCrypto.generateKeyPair(
      new java.security.SecureRandom()));

  private final Exchange exchange;
  private final SyncSettings sync;
  private final Duration stageTimeout; // for the exchanges without training
  private final SecAggSettings settings;
  private final RoundContext ctx;
  private final ModelWeights global;
  private final List<ClientTask<TrainInstructions>> tasks;
  private final Runnable whileClientsTrain;
  private boolean trainingStarted;
  private final Map<String, ClientFailure> failures = new LinkedHashMap<>();
  private final Map<String, Double> metricSums = new TreeMap<>();
  private final Map<String, Integer> metricCounts = new HashMap<>();

  private final Map<Integer, byte[]> publicC = new TreeMap<>();
  private final Map<Integer, byte[]> publicS = new TreeMap<>(); // U1
  private final Map<Integer, List<Integer>> neighbours = new HashMap<>();
  private final Map<Integer, Map<Integer, byte[]>> sharesFor = new HashMap<>(); // receiver -> sender -> ciphertext
  private final Set<Integer> shared = new TreeSet<>(); // U2
  private final Set<Integer> masked = new TreeSet<>(); // U3
  private final Map<Integer, Map<Integer, byte[]>> seedShares = new HashMap<>(); // owner -> holder -> share
  private final Map<Integer, Map<Integer, byte[]>> keyShares = new HashMap<>();

  SecAggRound(Exchange exchange, SyncSettings sync, Duration stageTimeout, SecAggSettings settings, RoundContext ctx,
      ModelWeights global, List<ClientTask<TrainInstructions>> tasks, Runnable whileClientsTrain) {
    this.exchange = exchange;
    this.sync = sync;
    this.stageTimeout = stageTimeout;
    this.settings = settings;
    this.ctx = ctx;
    this.global = global;
    this.tasks = tasks;
    this.whileClientsTrain = whileClientsTrain;
  }

  /** Runs the round. @throws FailedClosed if it cannot be aggregated */
  Sum run() {
    String problem = settings.problemFor(tasks.size());
    if (problem != null) {
      throw new FailedClosed(problem);
    }
    setup();
    requireSurvivors(publicS.size(), "sent keys");
    buildGraph();
    shareKeys();
    requireSurvivors(shared.size(), "shared their secrets");
    int[] sum = collectMasked();
    requireSurvivors(masked.size(), "sent masked vectors");
    unmask(sum);
    return dequantize(sum);
  }

  /** Runs the workflow's work-while-training if it has not run yet. */
  void whileClientsTrainOnce() {
    if (!trainingStarted) {
      trainingStarted = true;
      whileClientsTrain.run();
    }
  }

  /** The clients that failed at any stage (a client that delivered its masked vector is not among them). */
  List<ClientFailure> failures() {
    List<ClientFailure> out = new ArrayList<>();
    for (ClientFailure f : failures.values()) {
      if (!masked.contains(indexOf(f.clientId()))) {
        out.add(f);
      }
    }
    return out;
  }

  /** The unweighted mean of the clients' training metrics. */
  Metrics clientMetrics() {
    Metrics out = Metrics.empty();
    for (Map.Entry<String, Double> e : metricSums.entrySet()) {
      out = out.with(e.getKey(), e.getValue() / metricCounts.get(e.getKey()));
    }
    return out;
  }

  private void setup() {
    List<ClientRequest> requests = new ArrayList<>();
    ReplyAllowance keys = ReplyAllowance.exactly(List.of(
        SecAggMessages.bytesSpec(SecAggMessages.PK_C, SecAggCrypto.KEY_BYTES),
        SecAggMessages.bytesSpec(SecAggMessages.PK_S, SecAggCrypto.KEY_BYTES)));
    for (int i = 1; i <= tasks.size(); i++) {
      Config config = settings.toConfig().with(SecAggMessages.INDEX, i);
      requests.add(new ClientRequest(idOf(i), SecAggPlusStage.message(SecAggMessages.SETUP, ctx, "secagg-setup",
          config, ModelWeights.empty()), keys));
    }
    try (ReplyStream<byte[][]> replies = exchange.send("round " + ctx.round() + " secure aggregation setup",
        requests, stageTimeout, expect(SecAggMessages.PUBLIC_KEYS, m -> new byte[][] {
            usableKey(m.arrays().get(SecAggMessages.PK_C).toByteArray()),
            usableKey(m.arrays().get(SecAggMessages.PK_S).toByteArray())}))) {
      for (ClientResult<byte[][]> r : replies) {
        int i = indexOf(r.clientId());
        publicC.put(i, r.result()[0]);
        publicS.put(i, r.result()[1]);
      }
      note(replies.failures());
    }
  }

  /**
   * The ring of SecAgg+: the clients of U1 in an order drawn from the round's seed, each the neighbour of the
   * {@code (numShares - 1) / 2} clients before and after it (everyone's, when U1 is that small).
   */
  private void buildGraph() {
    List<Integer> ring = new ArrayList<>(publicS.keySet());
    Collections.shuffle(ring, new Random(ctx.seed() * 31 + ctx.round()));
    int m = ring.size();
    int half = (settings.numShares() - 1) / 2;
    for (int p = 0; p < m; p++) {
      Set<Integer> near = new TreeSet<>();
      if (m <= settings.numShares()) {
        near.addAll(ring);
      } else {
        for (int d = 1; d <= half; d++) {
          near.add(ring.get((p + d) % m));
          near.add(ring.get((p - d + m) % m));
        }
      }
      near.remove(ring.get(p));
      neighbours.put(ring.get(p), List.copyOf(near));
    }
  }

  private void shareKeys() {
    List<ClientRequest> requests = new ArrayList<>();
    for (int i : publicS.keySet()) {
      List<Tensor> arrays = new ArrayList<>();
      List<TensorSpec> allowed = new ArrayList<>();
      for (int j : neighbours.get(i)) {
        arrays.add(Tensor.ofBytes(SecAggMessages.PK_C + "/" + j, publicC.get(j)));
        arrays.add(Tensor.ofBytes(SecAggMessages.PK_S + "/" + j, publicS.get(j)));
        allowed.add(SecAggMessages.bytesSpec("share/" + j, SecAggMessages.SHARE_CIPHERTEXT_BYTES));
      }
      Config config = Config.of(SecAggMessages.NEIGHBOURS, SecAggMessages.joinIndices(neighbours.get(i)));
      requests.add(new ClientRequest(idOf(i), SecAggPlusStage.message(SecAggMessages.SHARE_KEYS, ctx,
          "secagg-share", config, ModelWeights.of(arrays)), ReplyAllowance.exactly(allowed)));
    }
    try (ReplyStream<Message> replies = exchange.send("round " + ctx.round() + " secure aggregation key sharing",
        requests, stageTimeout, expect(SecAggMessages.ENCRYPTED_SHARES, m -> m))) {
      for (ClientResult<Message> r : replies) {
        int i = indexOf(r.clientId());
        for (int j : neighbours.get(i)) {
          sharesFor.computeIfAbsent(j, k -> new TreeMap<>()).put(i, r.result().arrays().get("share/" + j)
              .toByteArray());
        }
        shared.add(i);
      }
      note(replies.failures());
    }
  }

  private int[] collectMasked() {
    TensorSpec vector = SecAggMessages.maskedSpec(global.numParameters());
    ReplyAllowance allowance = ReplyAllowance.exactly(List.of(vector));
    List<ClientRequest> requests = new ArrayList<>();
    for (int i : shared) {
      TrainInstructions ins = tasks.get(i - 1).instructions();
      List<Tensor> arrays = new ArrayList<>(ins.model().tensors());
      sharesFor.getOrDefault(i, Map.of()).forEach((from, ciphertext) -> {
        if (shared.contains(from)) {
          arrays.add(Tensor.ofBytes(SecAggMessages.FORWARDED + from, ciphertext));
        }
      });
      requests.add(new ClientRequest(idOf(i), SecAggPlusStage.message(SecAggMessages.COLLECT_MASKED, ctx, "train",
          ins.config(), ModelWeights.of(arrays)), allowance));
    }
    int[] sum = new int[vector.shape()[0]];
    try (ReplyStream<Message> replies = exchange.send("round " + ctx.round() + " training (secure aggregation)",
        requests, sync.roundTimeout(), sync.maxConcurrentFit(), expect(SecAggMessages.MASKED_VECTOR, m -> m))) {
      whileClientsTrainOnce();
      for (ClientResult<Message> r : replies) {
        int[] v = r.result().arrays().get(SecAggMessages.MASKED).toIntArray();
        for (int k = 0; k < sum.length; k++) {
          sum[k] += v[k];
        }
        r.result().metrics().values().forEach((name, value) -> {
          if (Double.isFinite(value)) {
            metricSums.merge(name, value, Double::sum);
            metricCounts.merge(name, 1, Integer::sum);
          }
        });
        masked.add(indexOf(r.clientId()));
      }
      note(replies.failures());
    }
    return sum;
  }

  private void unmask(int[] sum) {
    List<ClientRequest> requests = new ArrayList<>();
    Map<Integer, List<Integer>> activeOf = new HashMap<>();
    Map<Integer, List<Integer>> droppedOf = new HashMap<>();
    for (int i : masked) {
      List<Integer> active = new ArrayList<>();
      List<Integer> dropped = new ArrayList<>();
      List<TensorSpec> allowed = new ArrayList<>();
      active.add(i);
      for (int j : neighbours.get(i)) {
        if (masked.contains(j)) {
          active.add(j);
        } else if (shared.contains(j)) {
          dropped.add(j);
        }
      }
      Collections.sort(active);
      active.forEach(j -> allowed.add(SecAggMessages.bytesSpec("b/" + j, Shamir.SHARE_BYTES)));
      dropped.forEach(j -> allowed.add(SecAggMessages.bytesSpec("s/" + j, Shamir.SHARE_BYTES)));
      activeOf.put(i, active);
      droppedOf.put(i, dropped);
      Config config = Config.of(SecAggMessages.ACTIVE, SecAggMessages.joinIndices(active), SecAggMessages.DROPPED,
          SecAggMessages.joinIndices(dropped));
      requests.add(new ClientRequest(idOf(i), SecAggPlusStage.message(SecAggMessages.UNMASK, ctx, "secagg-unmask",
          config, ModelWeights.empty()), ReplyAllowance.exactly(allowed)));
    }
    try (ReplyStream<Message> replies = exchange.send("round " + ctx.round() + " secure aggregation unmasking",
        requests, stageTimeout, expect(SecAggMessages.REVEALED_SHARES, m -> m))) {
      for (ClientResult<Message> r : replies) {
        int h = indexOf(r.clientId());
        for (int j : activeOf.get(h)) {
          seedShares.computeIfAbsent(j, k -> new TreeMap<>()).put(h, r.result().arrays().get("b/" + j)
              .toByteArray());
        }
        for (int j : droppedOf.get(h)) {
          keyShares.computeIfAbsent(j, k -> new TreeMap<>()).put(h, r.result().arrays().get("s/" + j)
              .toByteArray());
        }
      }
      note(replies.failures());
    }
    for (int i : masked) {
      byte[] seed = reconstruct(seedShares.get(i), MaskExpander.SEED_BYTES, "the self-mask seed of client " + i);
      MaskExpander.apply(sum, seed, -1);
    }
    for (int d : shared) {
      if (masked.contains(d)) {
        continue;
      }
      List<Integer> maskedWith = neighbours.get(d).stream().filter(masked::contains).toList();
      if (maskedWith.isEmpty()) {
        continue;
      }
      byte[] key = reconstruct(keyShares.get(d), SecAggCrypto.KEY_BYTES, "the mask key of dropped client " + d);
      if (!Arrays.equals(SecAggCrypto.publicOf(key), publicS.get(d))) {
        throw new FailedClosed("the shares of dropped client " + d + "'s mask key do not match its public key");
      }
      for (int i : maskedWith) {
        byte[] pairSeed = SecAggCrypto.agree(key, publicS.get(i), SecAggCrypto.MASK_SEED_LABEL);
        MaskExpander.apply(sum, pairSeed, i < d ? -1 : 1); // client i added it with the opposite sign
      }
    }
  }

  private byte[] reconstruct(Map<Integer, byte[]> shares, int bytes, String what) {
    int have = shares == null ? 0 : shares.size();
    if (have < settings.threshold()) {
      throw new FailedClosed("only " + have + " shares of " + what + " came back, fewer than the threshold "
          + settings.threshold());
    }
    Map<Integer, byte[]> some = new TreeMap<>();
    for (Map.Entry<Integer, byte[]> e : shares.entrySet()) {
      if (some.size() == settings.threshold()) {
        break;
      }
      some.put(e.getKey(), e.getValue());
    }
    try {
      return Shamir.combine(some, bytes);
    } catch (IllegalArgumentException e) {
      throw new FailedClosed("the shares of " + what + " do not combine: " + e.getMessage());
    }
  }

  private Sum dequantize(int[] sum) {
    RingQuantizer quantizer = RingQuantizer.of(settings);
    int n = masked.size();
    int last = sum.length - 1;
    double weight = quantizer.dequantizeSum(RingQuantizer.reduce(sum[last], settings.modulus()), n);
    if (!(weight > 0)) {
      throw new FailedClosed("the clients' total weight " + weight + " is not positive");
    }
    List<Tensor> out = new ArrayList<>(global.count());
    int k = 0;
    for (Tensor t : global.tensors()) {
      float[] values = t.toFloat32().toArray();
      for (int i = 0; i < values.length; i++) {
        values[i] += (float) (quantizer.dequantizeSum(RingQuantizer.reduce(sum[k++], settings.modulus()), n)
            / weight);
      }
      out.add(Tensor.of(t.name(), t.shape(), values));
    }
    return new Sum(ModelWeights.of(out), n, weight);
  }

  /** {@code key}, if it is an X25519 public key that agrees with others (not a low-order point); else throws. */
  private static byte[] usableKey(byte[] key) {
    SecAggCrypto.agree(PROBE_KEY, key, "probe");
    return key;
  }

  private void requireSurvivors(int count, String what) {
    if (count < settings.threshold()) {
      throw new FailedClosed("only " + count + " of " + tasks.size() + " clients " + what
          + ", fewer than the reconstruction threshold " + settings.threshold());
    }
  }

  private void note(List<ClientFailure> more) {
    for (ClientFailure f : more) {
      failures.putIfAbsent(f.clientId(), f);
    }
  }

  private String idOf(int index) {
    return tasks.get(index - 1).clientId();
  }

  private int indexOf(String clientId) {
    for (int i = 0; i < tasks.size(); i++) {
      if (tasks.get(i).clientId().equals(clientId)) {
        return i + 1;
      }
    }
    return -1;
  }

  private static <R> ReplyConverter<R> expect(String type, java.util.function.Function<Message, R> read) {
    return (clientId, m) -> {
      if (!m.type().equals(type)) {
        throw new IllegalArgumentException("expected a '" + type + "' reply, got '" + m.type() + "'");
      }
      return read.apply(m);
    };
  }
}
