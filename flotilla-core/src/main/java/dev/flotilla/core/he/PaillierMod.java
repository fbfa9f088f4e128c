package dev.flotilla.core.he;

import dev.flotilla.core.client.ClientApp;
import dev.flotilla.core.client.ClientMod;
import dev.flotilla.core.client.Context;
import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.MessageError;
import dev.flotilla.core.message.MessageTypes;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.message.TrainResult;
import dev.flotilla.core.secagg.RingQuantizer;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

/**
 * The client side of Paillier aggregation. Any client: on {@value #TRAIN} (a training request with the key holder's
 * public key in array {@value #PUBLIC_KEY} and the {@link HeSettings} in its config), trains through the app behind
 * it and replies {@value #ENCRYPTED_UPDATE} with array {@value #CIPHERTEXTS}: the update
 * {@code weight · (model − global)} and then {@code weight}, clipped, quantised, packed and encrypted, ciphertexts
 * of fixed length one after another, with the training metrics. The key holder: on {@value #KEYGEN} makes (once, then
 * kept in its {@link Context#state()}) a key pair and replies {@value #KEY} with array {@value #PUBLIC_KEY}; on
 * {@value #DECRYPT} decrypts the ciphertexts it is sent (the server's sum) and replies {@value #SUM} with array
 * {@value #LEVELS} (int64, the slot-wise sums). Other messages pass untouched. Encryption runs on the common
 * fork-join pool; its costly part, the randomizers {@code rⁿ mod n²}, is computed there while the app trains.
 */
public final class PaillierMod implements ClientMod {
  /** Request: make or recall the key pair. */
  public static final String KEYGEN = "he/keygen";
  /** Reply to {@value #KEYGEN}. */
  public static final String KEY = "he/public_key";
  /** Request: train and encrypt the update. */
  public static final String TRAIN = "he/train";
  /** Reply to {@value #TRAIN}. */
  public static final String ENCRYPTED_UPDATE = "he/encrypted_update";
  /** Request: decrypt the sum. */
  public static final String DECRYPT = "he/decrypt";
  /** Reply to {@value #DECRYPT}. */
  public static final String SUM = "he/sum";
  /** Array: the public modulus, big-endian. */
  public static final String PUBLIC_KEY = "he/n";
  /** Array: ciphertexts. */
  public static final String CIPHERTEXTS = "ciphertexts";
  /** Array: decrypted slot sums. */
  public static final String LEVELS = "levels";
  /** Config: values in the ciphertexts of a {@value #DECRYPT} request. */
  public static final String COUNT = "he.count";
  private static final String STATE_KEY = "paillier";

  private final SecureRandom random;

  /** A mod drawing from a fresh {@link SecureRandom}. */
  public PaillierMod() {
    this(new SecureRandom());
  }

  /** A mod drawing from {@code random}. */
  public PaillierMod(SecureRandom random) {
    this.random = random;
  }

  @Override
  public Message handle(Message message, Context context, ClientApp next) {
    if (!message.type().startsWith("he/")) {
      return next.handle(message, context);
    }
    try {
      return switch (message.type()) {
        case KEYGEN -> keygen(message, context);
        case TRAIN -> train(message, context, next);
        case DECRYPT -> decrypt(message, context);
        default -> Message.error(MessageError.Code.BAD_REQUEST, "unknown encryption message '" + message.type()
            + "'");
      };
    } catch (IllegalArgumentException | IllegalStateException e) {
      return Message.error(MessageError.Code.BAD_REQUEST, e.getMessage());
    }
  }

  private Message keygen(Message message, Context context) {
    HeSettings settings = HeSettings.fromConfig(message.config());
    Paillier.KeyPair keys = keys(context).filter(k -> k.publicKey().n().bitLength() == settings.keyBits())
        .orElseGet(() -> {
          Paillier.KeyPair made = Paillier.generate(settings.keyBits(), random);
          context.state().putArrays(STATE_KEY, ModelWeights.of(Tensor.ofBytes("p", made.p().toByteArray()),
              Tensor.ofBytes("q", made.q().toByteArray())));
          return made;
        });
    return new Message(KEY, Config.empty(), Metrics.empty(),
        ModelWeights.of(Tensor.ofBytes(PUBLIC_KEY, keys.publicKey().toBytes())));
  }

  private Message train(Message message, Context context, ClientApp next) {
    HeSettings settings = HeSettings.fromConfig(message.config());
    Paillier.PublicKey key = Paillier.PublicKey.fromBytes(message.arrays().find(PUBLIC_KEY)
        .orElseThrow(() -> new IllegalArgumentException("the encrypted training request lacks the public key"))
        .toByteArray());
    if (key.n().bitLength() != settings.keyBits()) {
      throw new IllegalArgumentException("the public key has " + key.n().bitLength() + " bits, not the "
          + settings.keyBits() + " the settings name");
    }
    Map<String, Object> plain = new LinkedHashMap<>();
    message.config().values().forEach((k, v) -> {
      if (!k.startsWith("he.")) {
        plain.put(k, v);
      }
    });
    ModelWeights global = message.arrays().filter(name -> !name.equals(PUBLIC_KEY));
    PackedEncoding packing = settings.packing();
    int plaintexts = packing.plaintexts(Math.toIntExact(global.numParameters() + 1));
    // the randomizers do not depend on the update: made on other threads while the app trains
    CompletableFuture<BigInteger[]> randomizers = CompletableFuture.supplyAsync(() -> IntStream.range(0, plaintexts)
        .parallel().mapToObj(i -> key.randomizer(random)).toArray(BigInteger[]::new));
    Message reply;
    try {
      reply = next.handle(new Message(MessageTypes.TRAIN, message.metadata(), new Config(plain),
          message.metrics(), global, null), context);
    } catch (RuntimeException e) {
      randomizers.cancel(false);
      throw e;
    }
    if (reply == null || reply.isError()) {
      randomizers.cancel(false);
      return reply;
    }
    TrainResult result = MessageTypes.toTrainResult(reply);
    if (!result.weights().specs().equals(global.specs())) {
      throw new IllegalStateException("the trained model's arrays differ from the global model's");
    }
    long[] levels = quantizedUpdate(result, global, settings, new SplittableRandom(random.nextLong()));
    byte[] out = encrypt(levels, key, packing, randomizers.join());
    return new Message(ENCRYPTED_UPDATE, Config.empty(), result.metrics(),
        ModelWeights.of(Tensor.ofBytes(CIPHERTEXTS, out)));
  }

  private Message decrypt(Message message, Context context) {
    HeSettings settings = HeSettings.fromConfig(message.config());
    Paillier.KeyPair keys = keys(context).orElseThrow(() -> new IllegalStateException(
        "this client holds no Paillier key; it is not the key holder"));
    int count = message.config().getInt(COUNT, -1);
    PackedEncoding packing = settings.packing();
    int ctBytes = keys.publicKey().ciphertextBytes();
    byte[] all = message.arrays().find(CIPHERTEXTS).orElseThrow(() -> new IllegalArgumentException(
        "the decryption request carries no ciphertexts")).toByteArray();
    if (count < 1 || all.length != packing.plaintexts(count) * ctBytes) {
      throw new IllegalArgumentException("the decryption request's " + all.length + " bytes do not hold "
          + count + " values");
    }
    long[] levels = new long[count];
    IntStream.range(0, packing.plaintexts(count)).parallel().forEach(i -> {
      BigInteger c = new BigInteger(1, java.util.Arrays.copyOfRange(all, i * ctBytes, (i + 1) * ctBytes));
      packing.unpack(keys.decrypt(c), i, levels);
    });
    return new Message(SUM, Config.empty(), Metrics.empty(),
        ModelWeights.of(Tensor.ofLongs(LEVELS, new int[] {count}, levels)));
  }

  /** The ciphertexts of {@code levels}, packed, each {@code key.ciphertextBytes()} long, concatenated. */
  public static byte[] encrypt(long[] levels, Paillier.PublicKey key, PackedEncoding packing, SecureRandom random) {
    return encrypt(levels, key, packing, IntStream.range(0, packing.plaintexts(levels.length)).parallel()
        .mapToObj(i -> key.randomizer(random)).toArray(BigInteger[]::new));
  }

  /** As {@link #encrypt(long[], Paillier.PublicKey, PackedEncoding, SecureRandom)}, one given randomizer each. */
  static byte[] encrypt(long[] levels, Paillier.PublicKey key, PackedEncoding packing, BigInteger[] randomizers) {
    int n = packing.plaintexts(levels.length);
    int ctBytes = key.ciphertextBytes();
    byte[] out = new byte[n * ctBytes];
    IntStream.range(0, n).parallel().forEach(i -> {
      byte[] c = key.encrypt(packing.pack(levels, i), randomizers[i]).toByteArray();
      int len = Math.min(c.length, ctBytes);
      System.arraycopy(c, c.length - len, out, (i + 1) * ctBytes - len, len);
    });
    return out;
  }

  /** The quantised {@code weight · (model − global)} then {@code weight}, as unsigned levels. */
  static long[] quantizedUpdate(TrainResult result, ModelWeights global, HeSettings settings,
      SplittableRandom rounding) {
    RingQuantizer quantizer = new RingQuantizer(settings.clippingRange(), 1L << settings.valueBits());
    double weight = settings.weighted()
        ? Math.min(1.0, Math.max(0, result.numExamples()) / settings.maxWeight()) : 1.0;
    long[] out = new long[Math.toIntExact(global.numParameters() + 1)];
    int k = 0;
    for (int t = 0; t < global.count(); t++) {
      float[] trained = result.weights().get(t).toFloat32().toArray();
      float[] base = global.get(t).toFloat32().toArray();
      for (int i = 0; i < trained.length; i++) {
        out[k++] = Integer.toUnsignedLong(quantizer.quantize(weight * ((double) trained[i] - base[i]), rounding));
      }
    }
    out[k] = Integer.toUnsignedLong(quantizer.quantize(weight, rounding));
    return out;
  }

  private static java.util.Optional<Paillier.KeyPair> keys(Context context) {
    return context.state().arrays(STATE_KEY).map(a -> {
      BigInteger p = new BigInteger(1, a.get("p").toByteArray());
      BigInteger q = new BigInteger(1, a.get("q").toByteArray());
      return new Paillier.KeyPair(new Paillier.PublicKey(p.multiply(q)), p, q);
    });
  }

  /** Reads the ciphertexts of {@code bytes} (fixed length {@code ctBytes}). */
  public static BigInteger[] ciphertexts(byte[] bytes, int ctBytes) {
    if (bytes.length % ctBytes != 0) {
      throw new IllegalArgumentException(bytes.length + " bytes are no whole number of " + ctBytes
          + "-byte ciphertexts");
    }
    BigInteger[] out = new BigInteger[bytes.length / ctBytes];
    ByteBuffer b = ByteBuffer.wrap(bytes);
    for (int i = 0; i < out.length; i++) {
      byte[] c = new byte[ctBytes];
      b.get(c);
      out[i] = new BigInteger(1, c);
    }
    return out;
  }
}
