package dev.flotilla.core.secagg;

import dev.flotilla.core.tensor.DType;
import dev.flotilla.core.tensor.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The messages of a SecAgg+ round, shared by the client mod and the server stage. Clients are numbered
 * {@code 1 … n} within a round (their Shamir points). Four request types, each answered by one reply type:
 * <ol>
 *   <li>{@value #SETUP} (config: the settings, {@value #ROUND}, {@value #INDEX}) → {@value #PUBLIC_KEYS}: arrays
 *       {@value #PK_C} and {@value #PK_S}, the client's two X25519 public keys (for share encryption and for masks);
 *   <li>{@value #SHARE_KEYS} (config {@value #NEIGHBOURS}; arrays {@code pk_c/J}, {@code pk_s/J} of each neighbour J)
 *       → {@value #ENCRYPTED_SHARES}: array {@code share/J} for each neighbour, its shares of the client's self-mask
 *       seed and mask key, encrypted for J;
 *   <li>{@value #COLLECT_MASKED} (a training request: the model and the train config, plus arrays
 *       {@code secagg/share/J}, what each neighbour J that is still in the round encrypted for the client) →
 *       {@value #MASKED_VECTOR}: array {@value #MASKED} (int32, one ring value per parameter and one for the weight),
 *       and the training metrics;
 *   <li>{@value #UNMASK} (config {@value #ACTIVE} and {@value #DROPPED}: the neighbours whose masked vectors arrived,
 *       and those that dropped after sharing) → {@value #REVEALED_SHARES}: arrays {@code b/J} (self-mask shares of
 *       active neighbours) and {@code s/J} (mask-key shares of dropped ones), never both for one neighbour.
 * </ol>
 */
public final class SecAggMessages {
  /** Stage 1 request. */
  public static final String SETUP = "secagg/setup";
  /** Stage 1 reply. */
  public static final String PUBLIC_KEYS = "secagg/public_keys";
  /** Stage 2 request. */
  public static final String SHARE_KEYS = "secagg/share_keys";
  /** Stage 2 reply. */
  public static final String ENCRYPTED_SHARES = "secagg/encrypted_shares";
  /** Stage 3 request. */
  public static final String COLLECT_MASKED = "secagg/collect_masked";
  /** Stage 3 reply. */
  public static final String MASKED_VECTOR = "secagg/masked_vector";
  /** Stage 4 request. */
  public static final String UNMASK = "secagg/unmask";
  /** Stage 4 reply. */
  public static final String REVEALED_SHARES = "secagg/revealed_shares";

  /** Config: the round, in every request. */
  public static final String ROUND = "secagg.round";
  /** Config: the client's number in the round. */
  public static final String INDEX = "secagg.index";
  /** Config: the client's neighbours, comma-separated numbers. */
  public static final String NEIGHBOURS = "secagg.neighbours";
  /** Config: the neighbours whose masked vectors arrived. */
  public static final String ACTIVE = "secagg.active";
  /** Config: the neighbours that shared their secrets but sent no masked vector. */
  public static final String DROPPED = "secagg.dropped";

  /** Array: public key for share encryption. */
  public static final String PK_C = "pk_c";
  /** Array: public key for pairwise masks. */
  public static final String PK_S = "pk_s";
  /** Array: the masked vector. */
  public static final String MASKED = "masked";
  /** Prefix of the arrays the server forwards in a {@value #COLLECT_MASKED} request. */
  public static final String FORWARDED = "secagg/share/";

  /** Bytes of a share's plaintext: sender, receiver, self-mask seed share, mask key share. */
  public static final int SHARE_PLAINTEXT_BYTES = 8 + 2 * Shamir.SHARE_BYTES;
  /** Bytes of an encrypted share. */
  public static final int SHARE_CIPHERTEXT_BYTES = SecAggCrypto.ciphertextBytes(SHARE_PLAINTEXT_BYTES);

  private SecAggMessages() {}

  /** The spec of a bytes array of {@code bytes} bytes named {@code name}. */
  public static TensorSpec bytesSpec(String name, int bytes) {
    return new TensorSpec(name, DType.BYTES, new int[] {bytes});
  }

  /** The spec of the masked vector of a model of {@code parameters} parameters. */
  public static TensorSpec maskedSpec(long parameters) {
    if (parameters + 1 > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("secure aggregation supports up to " + (Integer.MAX_VALUE - 1)
          + " parameters, got " + parameters);
    }
    return new TensorSpec(MASKED, DType.INT32, new int[] {(int) parameters + 1});
  }

  /** The associated data that binds an encrypted share to its round, sender and receiver. */
  public static byte[] shareAad(long round, int from, int to) {
    return ("flotilla secagg+ share round " + round + " from " + from + " to " + to)
        .getBytes(StandardCharsets.UTF_8);
  }

  /** The plaintext of a share from {@code from} to {@code to}. */
  public static byte[] sharePlaintext(int from, int to, byte[] seedShare, byte[] keyShare) {
    return ByteBuffer.allocate(SHARE_PLAINTEXT_BYTES).putInt(from).putInt(to).put(seedShare).put(keyShare).array();
  }

  /** Numbers as a config value. */
  public static String joinIndices(Collection<Integer> indices) {
    return indices.stream().map(String::valueOf).collect(Collectors.joining(","));
  }

  /**
   * The numbers of a config value made by {@link #joinIndices}.
   *
   * @throws IllegalArgumentException naming a malformed entry
   */
  public static List<Integer> parseIndices(String value) {
    List<Integer> out = new ArrayList<>();
    if (value == null || value.isBlank()) {
      return out;
    }
    for (String part : value.split(",")) {
      try {
        int i = Integer.parseInt(part.strip());
        if (i <= 0) {
          throw new NumberFormatException();
        }
        out.add(i);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("secure aggregation: '" + part + "' is not a client number");
      }
    }
    return out;
  }
}
