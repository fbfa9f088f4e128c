package dev.flotilla.core.secagg;

import static dev.flotilla.core.secagg.SecAggMessages.ACTIVE;
import static dev.flotilla.core.secagg.SecAggMessages.DROPPED;
import static dev.flotilla.core.secagg.SecAggMessages.FORWARDED;
import static dev.flotilla.core.secagg.SecAggMessages.INDEX;
import static dev.flotilla.core.secagg.SecAggMessages.NEIGHBOURS;
import static dev.flotilla.core.secagg.SecAggMessages.ROUND;

import dev.flotilla.core.client.ClientApp;
import dev.flotilla.core.client.ClientMod;
import dev.flotilla.core.client.Context;
import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.MessageError;
import dev.flotilla.core.message.MessageTypes;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.message.TrainResult;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import java.nio.ByteBuffer;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * The client side of SecAgg+ (see {@link SecAggMessages} for the four stages). On {@value SecAggMessages#SETUP} it
 * makes two X25519 key pairs; on {@value SecAggMessages#SHARE_KEYS} it draws a self-mask seed and sends each
 * neighbour, encrypted for it alone, a Shamir share of that seed and of its mask key; on
 * {@value SecAggMessages#COLLECT_MASKED} it keeps the shares its neighbours sent, hands the plain training request
 * to the app behind it, and replaces the trained model by the masked vector: the update {@code model − global},
 * times the client's weight (its examples over the maximum weight, at most 1), clipped and quantised into the ring,
 * followed by the quantised weight itself, plus the mask of its seed and, for each neighbour still in the round, plus
 * or minus (by whose number is lower) the mask agreed with it. On {@value SecAggMessages#UNMASK} it reveals, for
 * each neighbour the server names, the share of its seed (if it delivered) or of its mask key (if it dropped), never
 * both, and forgets the round. Every other message passes untouched, so every client can run this mod; it should be
 * the outermost, so that the other mods (client-side clipping) act on the update it masks.
 *
 * <p>Per-round secrets live in {@link Context#state()} under {@value #STATE_KEY}. A request that does not follow the
 * stages in order, names unknown neighbours, or asks for both shares of a neighbour is answered with
 * {@link MessageError.Code#BAD_REQUEST}. The client also refuses to send a masked vector, or to unmask, when fewer
 * than the threshold of its neighbours (itself included) remain, because its update could then be exposed.
 *
 * <p>Holds no state of its own; one instance may serve any number of clients, one message at a time per client.
 */
public final class SecAggPlusMod implements ClientMod {
  /** The client-state key of the round's secrets. */
  public static final String STATE_KEY = "secagg+";
  private static final String STAGE = "secagg.stage";
  private static final String PEERS = "secagg.peers";
  private static final String OWN_C = "own/c_sk";
  private static final String OWN_S = "own/s_sk";
  private static final String SEED = "own/seed";

  private final SecureRandom random;

  /** A mod that draws its keys, seeds and rounding from a fresh {@link SecureRandom}. */
  public SecAggPlusMod() {
    this(new SecureRandom());
  }

  /** A mod drawing from {@code random} (seeded only in tests). */
  public SecAggPlusMod(SecureRandom random) {
    this.random = random;
  }

  @Override
  public Message handle(Message message, Context context, ClientApp next) {
    String type = message.type();
    if (!type.startsWith("secagg/")) {
      return next.handle(message, context);
    }
    try {
      return switch (type) {
        case SecAggMessages.SETUP -> setup(message, context);
        case SecAggMessages.SHARE_KEYS -> shareKeys(message, context);
        case SecAggMessages.COLLECT_MASKED -> collectMasked(message, context, next);
        case SecAggMessages.UNMASK -> unmask(message, context);
        default -> Message.error(MessageError.Code.BAD_REQUEST, "unknown secure aggregation message '" + type + "'");
      };
    } catch (IllegalArgumentException | IllegalStateException e) {
      return Message.error(MessageError.Code.BAD_REQUEST, e.getMessage());
    }
  }

  private Message setup(Message message, Context context) {
    SecAggSettings settings = SecAggSettings.fromConfig(message.config());
    long round = message.config().getLong(ROUND, -1);
    int index = message.config().getInt(INDEX, 0);
    if (index <= 0) {
      throw new IllegalArgumentException("secure aggregation: the setup gives no client number");
    }
    KeyPair c = SecAggCrypto.generateKeyPair(random);
    KeyPair s = SecAggCrypto.generateKeyPair(random);
    context.state().putConfig(STATE_KEY, settings.toConfig().merge(Config.of(ROUND, round, INDEX, index, STAGE, 1)));
    context.state().putArrays(STATE_KEY, ModelWeights.of(Tensor.ofBytes(OWN_C, SecAggCrypto.privateBytes(c)),
        Tensor.ofBytes(OWN_S, SecAggCrypto.privateBytes(s))));
    return new Message(SecAggMessages.PUBLIC_KEYS, Config.empty(), Metrics.empty(),
        ModelWeights.of(Tensor.ofBytes(SecAggMessages.PK_C, SecAggCrypto.publicBytes(c)),
            Tensor.ofBytes(SecAggMessages.PK_S, SecAggCrypto.publicBytes(s))));
  }

  private Message shareKeys(Message message, Context context) {
    Round r = Round.load(context, message, 1);
    List<Integer> neighbours = SecAggMessages.parseIndices(message.config().getString(NEIGHBOURS, ""));
    if (new HashSet<>(neighbours).size() != neighbours.size() || neighbours.contains(r.index)) {
      throw new IllegalArgumentException("secure aggregation: the neighbour list repeats a client or names this one");
    }
    if (neighbours.size() + 1 < r.settings.threshold()) {
      throw new IllegalArgumentException("secure aggregation: " + (neighbours.size() + 1)
          + " clients share secrets with this one (itself included), fewer than the threshold "
          + r.settings.threshold());
    }
    byte[] seed = new byte[MaskExpander.SEED_BYTES];
    random.nextBytes(seed);
    int[] points = new int[neighbours.size() + 1];
    points[0] = r.index;
    for (int i = 0; i < neighbours.size(); i++) {
      points[i + 1] = neighbours.get(i);
    }
    Map<Integer, byte[]> seedShares = Shamir.split(seed, r.settings.threshold(), points, random);
    Map<Integer, byte[]> keyShares = Shamir.split(r.bytes(OWN_S), r.settings.threshold(), points, random);
    List<Tensor> kept = new ArrayList<>(r.arrays.tensors());
    kept.add(Tensor.ofBytes(SEED, seed));
    kept.add(Tensor.ofBytes("b/" + r.index, seedShares.get(r.index)));
    kept.add(Tensor.ofBytes("s/" + r.index, keyShares.get(r.index)));
    List<Tensor> out = new ArrayList<>();
    for (int j : neighbours) {
      byte[] pkC = r.forwardedKey(message, SecAggMessages.PK_C + "/" + j);
      byte[] pkS = r.forwardedKey(message, SecAggMessages.PK_S + "/" + j);
      kept.add(Tensor.ofBytes("pk_s/" + j, pkS));
      kept.add(Tensor.ofBytes("pk_c/" + j, pkC));
      byte[] key = SecAggCrypto.agree(r.bytes(OWN_C), pkC, SecAggCrypto.SHARE_KEY_LABEL);
      byte[] plaintext = SecAggMessages.sharePlaintext(r.index, j, seedShares.get(j), keyShares.get(j));
      out.add(Tensor.ofBytes("share/" + j,
          SecAggCrypto.encrypt(key, plaintext, SecAggMessages.shareAad(r.round, r.index, j), random)));
    }
    r.save(context, ModelWeights.of(kept), Config.of(STAGE, 2, NEIGHBOURS, SecAggMessages.joinIndices(neighbours)));
    return new Message(SecAggMessages.ENCRYPTED_SHARES, Config.empty(), Metrics.empty(), ModelWeights.of(out));
  }

  private Message collectMasked(Message message, Context context, ClientApp next) {
    Round r = Round.load(context, message, 2);
    Set<Integer> neighbours = new HashSet<>(SecAggMessages.parseIndices(r.config.getString(NEIGHBOURS, "")));
    List<Tensor> kept = new ArrayList<>(r.arrays.tensors());
    List<Tensor> model = new ArrayList<>();
    Set<Integer> peers = new TreeSet<>();
    for (Tensor t : message.arrays().tensors()) {
      if (!t.name().startsWith(FORWARDED)) {
        model.add(t);
        continue;
      }
      int j = SecAggMessages.parseIndices(t.name().substring(FORWARDED.length())).get(0);
      if (!neighbours.contains(j) || !peers.add(j)) {
        throw new IllegalArgumentException("secure aggregation: a forwarded share comes from client " + j
            + ", not a neighbour or twice");
      }
      byte[] key = SecAggCrypto.agree(r.bytes(OWN_C), r.bytes("pk_c/" + j), SecAggCrypto.SHARE_KEY_LABEL);
      ByteBuffer plain = ByteBuffer.wrap(SecAggCrypto.decrypt(key, t.toByteArray(),
          SecAggMessages.shareAad(r.round, j, r.index)));
      if (plain.remaining() != SecAggMessages.SHARE_PLAINTEXT_BYTES || plain.getInt() != j
          || plain.getInt() != r.index) {
        throw new IllegalArgumentException("secure aggregation: the share forwarded from client " + j
            + " is not addressed from it to this client");
      }
      byte[] b = new byte[Shamir.SHARE_BYTES];
      byte[] s = new byte[Shamir.SHARE_BYTES];
      plain.get(b).get(s);
      kept.add(Tensor.ofBytes("b/" + j, b));
      kept.add(Tensor.ofBytes("s/" + j, s));
    }
    if (peers.size() + 1 < r.settings.threshold()) {
      throw new IllegalArgumentException("secure aggregation: " + (peers.size() + 1) + " of this client's"
          + " neighbours (itself included) remain, fewer than the threshold " + r.settings.threshold());
    }
    Config trainConfig = withoutSecAggKeys(message.config());
    Message train = new Message(MessageTypes.TRAIN, message.metadata(), trainConfig, message.metrics(),
        ModelWeights.of(model), null);
    Message reply = next.handle(train, context);
    if (reply == null || reply.isError()) {
      context.state().remove(STATE_KEY);
      return reply;
    }
    TrainResult result = MessageTypes.toTrainResult(reply);
    ModelWeights global = train.arrays();
    if (!result.weights().specs().equals(global.specs())) {
      throw new IllegalStateException("secure aggregation: the trained model's arrays differ from the global"
          + " model's, so its update cannot be masked");
    }
    int[] masked = quantizedUpdate(result, global, r.settings, new SplittableRandom(random.nextLong()));
    MaskExpander.apply(masked, r.bytes(SEED), 1);
    byte[] ownKey = r.bytes(OWN_S);
    for (int j : peers) {
      byte[] pairSeed = SecAggCrypto.agree(ownKey, r.bytes("pk_s/" + j), SecAggCrypto.MASK_SEED_LABEL);
      MaskExpander.apply(masked, pairSeed, r.index < j ? 1 : -1);
    }
    long mask = r.settings.modulus() - 1;
    for (int i = 0; i < masked.length; i++) {
      masked[i] = (int) (masked[i] & mask);
    }
    r.save(context, ModelWeights.of(kept), Config.of(STAGE, 3, PEERS, SecAggMessages.joinIndices(peers)));
    return new Message(SecAggMessages.MASKED_VECTOR, Config.empty(), result.metrics(),
        ModelWeights.of(Tensor.ofInts(SecAggMessages.MASKED, new int[] {masked.length}, masked)));
  }

  private Message unmask(Message message, Context context) {
    Round r = Round.load(context, message, 3);
    Set<Integer> known = new HashSet<>(SecAggMessages.parseIndices(r.config.getString(PEERS, "")));
    known.add(r.index);
    List<Integer> active = SecAggMessages.parseIndices(message.config().getString(ACTIVE, ""));
    List<Integer> dropped = SecAggMessages.parseIndices(message.config().getString(DROPPED, ""));
    Set<Integer> all = new HashSet<>(active);
    all.addAll(dropped);
    if (all.size() != active.size() + dropped.size() || !known.containsAll(all) || dropped.contains(r.index)) {
      throw new IllegalArgumentException("secure aggregation: the unmask request names a client twice, a client"
          + " this one holds no shares of, or this client as dropped");
    }
    if (active.size() < r.settings.threshold()) {
      throw new IllegalArgumentException("secure aggregation: only " + active.size() + " of this client's"
          + " neighbours delivered, fewer than the threshold " + r.settings.threshold() + "; not unmasking");
    }
    List<Tensor> out = new ArrayList<>();
    for (int j : active) {
      out.add(Tensor.ofBytes("b/" + j, r.bytes("b/" + j)));
    }
    for (int j : dropped) {
      out.add(Tensor.ofBytes("s/" + j, r.bytes("s/" + j)));
    }
    context.state().remove(STATE_KEY);
    return new Message(SecAggMessages.REVEALED_SHARES, Config.empty(), Metrics.empty(), ModelWeights.of(out));
  }

  /**
   * The ring vector of an update before masking: {@code weight · (model − global)} per parameter, in the order of the
   * model's arrays, then {@code weight}, each quantised; {@code weight} is the result's examples over the maximum
   * weight, at most 1 (1 when unweighted). Modulo 2^32.
   */
  static int[] quantizedUpdate(TrainResult result, ModelWeights global, SecAggSettings settings,
      SplittableRandom rounding) {
    RingQuantizer quantizer = RingQuantizer.of(settings);
    double weight = settings.weighted()
        ? Math.min(1.0, Math.max(0, result.numExamples()) / settings.maxWeight()) : 1.0;
    int[] out = new int[Math.toIntExact(global.numParameters() + 1)];
    int k = 0;
    for (int t = 0; t < global.count(); t++) {
      float[] trained = result.weights().get(t).toFloat32().toArray();
      float[] base = global.get(t).toFloat32().toArray();
      for (int i = 0; i < trained.length; i++) {
        out[k++] = quantizer.quantize(weight * ((double) trained[i] - base[i]), rounding);
      }
    }
    out[k] = quantizer.quantize(weight, rounding);
    return out;
  }

  private static Config withoutSecAggKeys(Config config) {
    Map<String, Object> kept = new LinkedHashMap<>();
    config.values().forEach((k, v) -> {
      if (!k.startsWith("secagg.")) {
        kept.put(k, v);
      }
    });
    return new Config(kept);
  }

  /** This client's secrets of the round in progress. */
  private static final class Round {
    final Config config;
    final ModelWeights arrays;
    final SecAggSettings settings;
    final long round;
    final int index;

    private Round(Config config, ModelWeights arrays) {
      this.config = config;
      this.arrays = arrays;
      this.settings = SecAggSettings.fromConfig(config);
      this.round = config.getLong(ROUND, -1);
      this.index = config.getInt(INDEX, 0);
    }

    /** The round that {@code message} continues, which must be at {@code stage}. */
    static Round load(Context context, Message message, int stage) {
      Config config = context.state().config(STATE_KEY).orElse(null);
      ModelWeights arrays = context.state().arrays(STATE_KEY).orElse(null);
      if (config == null || arrays == null) {
        throw new IllegalStateException("secure aggregation: '" + message.type() + "' without a set-up round");
      }
      Round r = new Round(config, arrays);
      long round = message.config().getLong(ROUND, -2);
      if (round != r.round || config.getInt(STAGE, 0) != stage) {
        throw new IllegalStateException("secure aggregation: '" + message.type() + "' for round " + round
            + " does not follow stage " + config.getInt(STAGE, 0) + " of round " + r.round);
      }
      return r;
    }

    byte[] bytes(String name) {
      return arrays.find(name).map(Tensor::toByteArray).orElseThrow(() -> new IllegalArgumentException(
          "secure aggregation: this client holds nothing named " + name));
    }

    byte[] forwardedKey(Message message, String name) {
      byte[] key = message.arrays().find(name).map(Tensor::toByteArray).orElseThrow(() ->
          new IllegalArgumentException("secure aggregation: the request lacks the neighbour key " + name));
      if (key.length != SecAggCrypto.KEY_BYTES || Arrays.equals(key, new byte[SecAggCrypto.KEY_BYTES])) {
        throw new IllegalArgumentException("secure aggregation: the neighbour key " + name + " is malformed");
      }
      return key;
    }

    void save(Context context, ModelWeights newArrays, Config changes) {
      context.state().putArrays(STATE_KEY, newArrays);
      context.state().putConfig(STATE_KEY, config.merge(changes));
    }
  }
}
