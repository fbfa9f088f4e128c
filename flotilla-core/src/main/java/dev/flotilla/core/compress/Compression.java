package dev.flotilla.core.compress;

import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.EvaluateInstructions;
import dev.flotilla.core.message.TrainInstructions;
import dev.flotilla.core.message.TrainResult;
import dev.flotilla.core.strategy.AggregateResult;
import dev.flotilla.core.strategy.ClientInfo;
import dev.flotilla.core.strategy.ClientResult;
import dev.flotilla.core.strategy.ClientTask;
import dev.flotilla.core.strategy.ForwardingStrategy;
import dev.flotilla.core.strategy.ResultStream;
import dev.flotilla.core.strategy.RoundContext;
import dev.flotilla.core.strategy.Strategy;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.TensorSpec;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;

/**
 * Compressed communication around any strategy: clients send their update ({@code trained − global}) encoded with
 * the upload {@link Codec}, and optionally the server sends the global model encoded with a download codec.
 *
 * <p>Each training instruction carries the config key {@value #UPLOAD_KEY} naming the upload codec; clients run
 * {@link CompressionMod}, which encodes the update of its reply (keeping the residual for error feedback when the
 * codec asks for it). With a download codec, train and evaluate instructions carry the encoded model and
 * {@value #DOWNLOAD_KEY} naming its codec, and the mod decodes it before the app sees it; central evaluation uses the
 * exact model. A client's update is taken from the model it received (decoded) and added to the exact global model,
 * so the rounding of the model sent does not accumulate from round to round.
 *
 * <p>The server decodes a result into the model {@code global + update} before the inner strategy sees it:
 * {@link #checkTrainResult} decodes it and has the inner strategy check the model, so that a truncated, corrupt or
 * mis-declared payload becomes a {@code REJECTED} failure of its client naming the problem; {@link #aggregateTrain}
 * hands the inner strategy a stream that decodes each result again when the strategy reaches it. Decoding twice
 * costs a little CPU (far less than a client's training) and keeps the streaming memory bound: one decoded model at
 * a time for a folding strategy.
 *
 * <p>Holds configuration only; as for any {@link Strategy}, one call at a time.
 */
public final class Compression extends ForwardingStrategy {
  /** The training config key naming the codec of clients' updates. */
  public static final String UPLOAD_KEY = "compress";
  /** The train and evaluate config key naming the codec of the model the instruction carries. */
  public static final String DOWNLOAD_KEY = "compress_down";

  private final Codec upload;
  private final Codec download;

  /**
   * {@code inner} with updates encoded by {@code upload} and, unless {@code download} is null, the global model sent
   * encoded by {@code download}.
   *
   * @throws IllegalArgumentException if {@code download} is sparse (it cannot carry a model)
   */
  public Compression(Strategy inner, Codec upload, Codec download) {
    super(inner);
    this.upload = Objects.requireNonNull(upload, "upload");
    if (download != null && download.sparse()) {
      throw new IllegalArgumentException(download.name() + " sparsifies updates and cannot carry the global model to"
          + " clients; compress what the server sends with fp16, bf16 or int8");
    }
    this.download = download;
  }

  /** The wrapped strategy. */
  public Strategy inner() {
    return inner;
  }

  /** The codec of clients' updates. */
  public Codec upload() {
    return upload;
  }

  /** The codec of the model sent to clients, if it is compressed. */
  public Optional<Codec> download() {
    return Optional.ofNullable(download);
  }

  /** {@inheritDoc} The inner strategy's tasks, with the codecs named in the config and the model encoded. */
  @Override
  public List<ClientTask<TrainInstructions>> configureTrain(RoundContext ctx, ModelWeights global,
      List<ClientInfo> available) {
    Map<ModelWeights, ModelWeights> encoded = new IdentityHashMap<>();
    Random random = ctx.random();
    return inner.configureTrain(ctx, global, available).stream()
        .map(t -> new ClientTask<>(t.clientId(), new TrainInstructions(
            sent(t.instructions().model(), encoded, random),
            downloadKey(t.instructions().config()).with(UPLOAD_KEY, upload.name()))))
        .toList();
  }

  /**
   * {@inheritDoc} The result's payload must decode, with the upload codec, into an update of tensors of
   * {@code global}; the model it leads to is then checked by the inner strategy.
   */
  @Override
  public Optional<String> checkTrainResult(ModelWeights global, TrainResult result) {
    TrainResult decoded;
    try {
      decoded = decode(global, result);
    } catch (IllegalArgumentException e) {
      return Optional.of("the compressed update does not decode: " + e.getMessage());
    }
    return inner.checkTrainResult(global, decoded);
  }

  /**
   * {@inheritDoc} None: a compressed update's arrays depend on the codec and, for top-k and lossless codecs, on the
   * values, so a server bounds it by bytes instead.
   */
  @Override
  public Optional<List<TensorSpec>> trainResultSpecs(ModelWeights global) {
    return Optional.empty();
  }

  /** {@inheritDoc} The inner strategy aggregates the decoded models, decoded one at a time as it iterates. */
  @Override
  public AggregateResult aggregateTrain(RoundContext ctx, ModelWeights global, ResultStream<TrainResult> results) {
    // decoded one at a time as the inner strategy iterates, so a folding strategy still holds one model
    return inner.aggregateTrain(ctx, global,
        results.map(r -> new ClientResult<>(r.clientId(), decode(global, r.result()))));
  }

  /** {@inheritDoc} The inner strategy's tasks, with the model encoded when there is a download codec. */
  @Override
  public List<ClientTask<EvaluateInstructions>> configureEvaluate(RoundContext ctx, ModelWeights global,
      List<ClientInfo> available) {
    List<ClientTask<EvaluateInstructions>> tasks = inner.configureEvaluate(ctx, global, available);
    if (download == null) {
      return tasks;
    }
    Map<ModelWeights, ModelWeights> encoded = new IdentityHashMap<>();
    Random random = ctx.random();
    return tasks.stream()
        .map(t -> new ClientTask<>(t.clientId(), new EvaluateInstructions(
            sent(t.instructions().model(), encoded, random), downloadKey(t.instructions().config()))))
        .toList();
  }

  /** The model {@code global + update} that {@code result}'s encoded update leads to. */
  private TrainResult decode(ModelWeights global, TrainResult result) {
    ModelWeights update = upload.decode(result.weights(), global.specs());
    return new TrainResult(Deltas.apply(global, update), result.numExamples(), result.metrics());
  }

  /** What goes to clients for {@code model}: itself, or its encoding, made once per distinct model. */
  private ModelWeights sent(ModelWeights model, Map<ModelWeights, ModelWeights> encoded, Random random) {
    if (download == null) {
      return model;
    }
    return encoded.computeIfAbsent(model, m -> download.encode(m, random));
  }

  private Config downloadKey(Config config) {
    return download == null ? config : config.with(DOWNLOAD_KEY, download.name());
  }
}
