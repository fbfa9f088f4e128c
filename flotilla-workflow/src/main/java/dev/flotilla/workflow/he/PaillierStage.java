package dev.flotilla.workflow.he;

import dev.flotilla.core.FlotillaException;
import dev.flotilla.core.he.HeSettings;
import dev.flotilla.core.he.PackedEncoding;
import dev.flotilla.core.he.Paillier;
import dev.flotilla.core.he.PaillierMod;
import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.Metadata;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.message.TrainInstructions;
import dev.flotilla.core.message.TrainResult;
import dev.flotilla.core.secagg.RingQuantizer;
import dev.flotilla.core.strategy.AggregateResult;
import dev.flotilla.core.strategy.ClientFailure;
import dev.flotilla.core.strategy.ClientResult;
import dev.flotilla.core.strategy.ClientTask;
import dev.flotilla.core.strategy.ResultStream;
import dev.flotilla.core.strategy.RoundContext;
import dev.flotilla.core.strategy.Strategy;
import dev.flotilla.core.tensor.DType;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.core.tensor.TensorSpec;
import dev.flotilla.workflow.ClientRequest;
import dev.flotilla.workflow.Exchange;
import dev.flotilla.workflow.ReplyAllowance;
import dev.flotilla.workflow.ReplyConverter;
import dev.flotilla.workflow.ReplyStream;
import dev.flotilla.workflow.SyncSettings;
import dev.flotilla.workflow.TrainStage;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Aggregation under Paillier encryption, as a {@link TrainStage}, for cross-silo federations: each round the key
 * holder (a designated client) hands out its public key, the sampled clients train and send their updates
 * quantised, packed and encrypted ({@link PaillierMod}), the server multiplies the ciphertexts as they arrive, which
 * adds the updates without decrypting them, and the key holder decrypts only the sum. The strategy then sees the
 * (weighted) mean update as one result per client, as with {@link dev.flotilla.workflow.secagg.SecAggPlusStage}.
 *
 * <p>Trust: the server never sees an update in the clear, and the key holder sees only sums; a server and key holder
 * that collude see everything. A round whose key holder is not reachable, or fails to decrypt, fails closed (no
 * model update, a log line) and the run goes on.
 *
 * <p>Called from the workflow's thread; holds configuration only.
 */
public final class PaillierStage implements TrainStage {
  private static final Logger log = LoggerFactory.getLogger(PaillierStage.class);
  /** Metric: 1 when the round failed closed. */
  public static final String FAILED = "he_failed";

  private final HeSettings settings;
  private final String keyHolder;
  private final boolean dedicated;

  /**
   * @param settings  the scheme's parameters
   * @param keyHolder the id of the client that holds the private key, or null for the first client (by id)
   *                  connected when the round starts
   */
  public PaillierStage(HeSettings settings, String keyHolder) {
    this(settings, keyHolder, false);
  }

  /**
   * As above; with {@code dedicatedKeyHolder} the key holder (then named) is a process of its own that never trains
   * ({@code flotilla key-holder}): it is left out of every round's training even when the strategy sampled it.
   */
  public PaillierStage(HeSettings settings, String keyHolder, boolean dedicatedKeyHolder) {
    this.settings = Objects.requireNonNull(settings, "settings");
    if (dedicatedKeyHolder && keyHolder == null) {
      throw new IllegalArgumentException("a dedicated key holder must be named");
    }
    this.keyHolder = keyHolder;
    this.dedicated = dedicatedKeyHolder;
  }

  @Override
  public Outcome train(Exchange exchange, SyncSettings sync, RoundContext ctx, Strategy strategy, ModelWeights global,
      List<ClientTask<TrainInstructions>> tasks, Runnable whileClientsTrain) {
    if (strategy.needsAllResults()) {
      throw new FlotillaException("homomorphic aggregation cannot serve " + strategy.name()
          + ", which needs every client's result; use a weighted-average strategy");
    }
    if (dedicated) {
      tasks = tasks.stream().filter(t -> !t.clientId().equals(keyHolder)).toList();
    }
    String holder = keyHolder != null ? keyHolder
        : exchange.fleet().clients().isEmpty() ? "" : exchange.fleet().clients().get(0).id();
    Metrics clientMetrics = Metrics.empty();
    try {
      if (tasks.size() > settings.maxClients()) {
        throw new IllegalStateException(tasks.size() + " clients exceed the packing's maximum of "
            + settings.maxClients());
      }
      Paillier.PublicKey key = publicKey(exchange, sync, ctx, holder);
      PackedEncoding packing = settings.packing();
      int count = Math.toIntExact(global.numParameters() + 1);
      int ciphertexts = packing.plaintexts(count);
      int ctBytes = key.ciphertextBytes();
      BigInteger[] sum = new BigInteger[ciphertexts];
      Map<String, Double> metricSums = new HashMap<>();
      List<ClientFailure> failures;
      int n = 0;
      Tensor n64 = Tensor.ofBytes(PaillierMod.PUBLIC_KEY, key.toBytes());
      List<ClientRequest> requests = new ArrayList<>();
      for (ClientTask<TrainInstructions> t : tasks) {
        List<Tensor> arrays = new ArrayList<>(t.instructions().model().tensors());
        arrays.add(n64);
        requests.add(new ClientRequest(t.clientId(), message(PaillierMod.TRAIN, ctx, "train",
            t.instructions().config().merge(settings.toConfig()), ModelWeights.of(arrays)),
            ReplyAllowance.exactly(List.of(new TensorSpec(PaillierMod.CIPHERTEXTS, DType.BYTES,
                new int[] {ciphertexts * ctBytes})))));
      }
      try (ReplyStream<Message> replies = exchange.send("round " + ctx.round() + " training (encrypted)", requests,
          sync.roundTimeout(), sync.maxConcurrentFit(), expect(PaillierMod.ENCRYPTED_UPDATE))) {
        whileClientsTrain.run();
        BigInteger n2 = key.nSquared();
        for (ClientResult<Message> r : replies) {
          BigInteger[] cs = PaillierMod.ciphertexts(r.result().arrays().get(PaillierMod.CIPHERTEXTS).toByteArray(),
              ctBytes);
          for (int i = 0; i < ciphertexts; i++) {
            sum[i] = sum[i] == null ? cs[i] : sum[i].multiply(cs[i]).mod(n2);
          }
          r.result().metrics().values().forEach((k, v) -> metricSums.merge(k, v, Double::sum));
          n++;
        }
        failures = replies.failures();
      }
      for (Map.Entry<String, Double> e : metricSums.entrySet()) {
        clientMetrics = clientMetrics.with(e.getKey(), e.getValue() / n);
      }
      if (n == 0) {
        throw new IllegalStateException("no client delivered an encrypted update");
      }
      long[] levels = decrypt(exchange, sync, ctx, holder, sum, ctBytes, count);
      ModelWeights model = dequantize(global, levels, n);
      double weight = new RingQuantizer(settings.clippingRange(), 1L << settings.valueBits())
          .dequantizeSum(levels[count - 1], n);
      long examples = settings.weighted() ? Math.max(1, Math.round(weight * settings.maxWeight() / n)) : 1;
      List<ClientResult<TrainResult>> copies = Collections.nCopies(n,
          new ClientResult<>("he sum", new TrainResult(model, examples, Metrics.empty())));
      AggregateResult aggregate = strategy.aggregateTrain(ctx, global, ResultStream.of(copies, failures));
      return new Outcome(aggregate.withMetrics(Metrics.of(FAILED, 0)), n, failures.size(), clientMetrics);
    } catch (IllegalStateException e) {
      log.warn("round {}: encrypted aggregation failed closed: {}; keeping the current model", ctx.round(),
          e.getMessage());
      return new Outcome(AggregateResult.none().withMetrics(Metrics.of(FAILED, 1)), 0, tasks.size(), clientMetrics);
    }
  }

  private Paillier.PublicKey publicKey(Exchange exchange, SyncSettings sync, RoundContext ctx, String holder) {
    List<ClientRequest> ask = List.of(new ClientRequest(holder, message(PaillierMod.KEYGEN, ctx, "he-key",
        settings.toConfig(), ModelWeights.empty()), ReplyAllowance.upTo(settings.keyBits() / 8 + 1)));
    try (ReplyStream<Message> replies = exchange.send("round " + ctx.round() + " key", ask, sync.roundTimeout(),
        expect(PaillierMod.KEY))) {
      for (ClientResult<Message> r : replies) {
        Paillier.PublicKey key = Paillier.PublicKey.fromBytes(r.result().arrays().get(PaillierMod.PUBLIC_KEY)
            .toByteArray());
        if (key.n().bitLength() != settings.keyBits()) {
          throw new IllegalStateException("the key holder's key has " + key.n().bitLength() + " bits, not "
              + settings.keyBits());
        }
        return key;
      }
      throw new IllegalStateException("the key holder '" + holder + "' gave no public key: " + replies.failures());
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("the key holder's public key is malformed: " + e.getMessage());
    }
  }

  private long[] decrypt(Exchange exchange, SyncSettings sync, RoundContext ctx, String holder, BigInteger[] sum,
      int ctBytes, int count) {
    byte[] bytes = new byte[sum.length * ctBytes];
    for (int i = 0; i < sum.length; i++) {
      byte[] c = sum[i].toByteArray();
      int len = Math.min(c.length, ctBytes);
      System.arraycopy(c, c.length - len, bytes, (i + 1) * ctBytes - len, len);
    }
    List<ClientRequest> ask = List.of(new ClientRequest(holder, message(PaillierMod.DECRYPT, ctx, "he-decrypt",
        settings.toConfig().with(PaillierMod.COUNT, count), ModelWeights.of(Tensor.ofBytes(PaillierMod.CIPHERTEXTS,
            bytes))), ReplyAllowance.exactly(List.of(new TensorSpec(PaillierMod.LEVELS, DType.INT64,
                new int[] {count})))));
    try (ReplyStream<Message> replies = exchange.send("round " + ctx.round() + " decryption", ask,
        sync.roundTimeout(), expect(PaillierMod.SUM))) {
      for (ClientResult<Message> r : replies) {
        return r.result().arrays().get(PaillierMod.LEVELS).toLongArray();
      }
      throw new IllegalStateException("the key holder '" + holder + "' did not decrypt the sum: "
          + replies.failures());
    }
  }

  private ModelWeights dequantize(ModelWeights global, long[] levels, int n) {
    RingQuantizer quantizer = new RingQuantizer(settings.clippingRange(), 1L << settings.valueBits());
    double weight = quantizer.dequantizeSum(levels[levels.length - 1], n);
    if (!(weight > 0)) {
      throw new IllegalStateException("the clients' total weight " + weight + " is not positive");
    }
    List<Tensor> out = new ArrayList<>();
    int k = 0;
    for (Tensor t : global.tensors()) {
      float[] v = t.toFloat32().toArray();
      for (int i = 0; i < v.length; i++) {
        v[i] += (float) (quantizer.dequantizeSum(levels[k++], n) / weight);
      }
      out.add(Tensor.of(t.name(), t.shape(), v));
    }
    return ModelWeights.of(out);
  }

  private static Message message(String type, RoundContext ctx, String phase, Config config, ModelWeights arrays) {
    return new Message(type, Metadata.of(ctx.round() + "/" + phase, ctx.round() - 1, 0),
        config.with("he.round", ctx.round()), Metrics.empty(), arrays, null);
  }

  private static ReplyConverter<Message> expect(String type) {
    return (clientId, m) -> {
      if (!m.type().equals(type)) {
        throw new IllegalArgumentException("expected a '" + type + "' reply, got '" + m.type() + "'");
      }
      return m;
    };
  }

  @Override
  public String toString() {
    return "Paillier (" + settings.keyBits() + "-bit key" + (keyHolder == null ? "" : ", key holder " + keyHolder)
        + (dedicated ? " (not training)" : "") + ")";
  }
}
