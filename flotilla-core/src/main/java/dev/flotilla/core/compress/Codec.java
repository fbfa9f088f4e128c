package dev.flotilla.core.compress;

import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.TensorSpec;
import java.util.List;
import java.util.Random;

/**
 * Turns float32 tensors (an update, or a whole model) into fewer bytes of typed arrays, and back. One class per codec,
 * found by name through {@link Codecs#parse}; {@link Compression} (server) and {@link CompressionMod} (client) apply
 * them to what crosses the wire.
 *
 * <p>The encoded form is a {@link ModelWeights} of any {@link dev.flotilla.core.tensor.DType}: the arrays that encode
 * tensor {@code t} are named {@code t/PART} (such as {@code t/q} and {@code t/scale}), so a plain float32 tensor is
 * never taken for an encoded one; a lossless codec packs everything into one bytes array. Decoding checks the
 * encoded arrays before it allocates and throws {@link IllegalArgumentException} naming the tensor and the problem
 * for a truncated, corrupt or mis-declared payload, so that a server can count it as that client's failure.
 *
 * <p>Implementations hold configuration only: they are immutable and thread-safe.
 */
public interface Codec {
  /** The name that {@link Codecs#parse} turns back into this codec, such as {@code int8+zstd} or {@code topk:0.01}. */
  String name();

  /**
   * The encoded form of {@code values}, whose tensors must all be float32 and finite.
   *
   * @param random draws the noise of stochastic rounding; codecs that round deterministically ignore it
   * @throws IllegalArgumentException naming the tensor if one is not float32, holds a NaN or infinite value, or is out
   *                                  of the codec's range (such as float16 above 65504)
   */
  ModelWeights encode(ModelWeights values, Random random);

  /**
   * The float32 tensors that {@code encoded} holds, in the order of {@code specs}. A spec whose tensor is not
   * encoded is left out (a client may send only part of a model, such as its shared layers); the caller checks that
   * the tensors it needs are there.
   *
   * @param specs the float32 names and shapes the encoded tensors must have
   * @throws IllegalArgumentException naming the tensor and the problem if {@code encoded} is truncated, corrupt, holds
   *                                  an array of the wrong type or shape, an array that belongs to no spec, or a
   *                                  NaN or infinite value
   */
  ModelWeights decode(ModelWeights encoded, List<TensorSpec> specs);

  /**
   * The float32 specs that {@code encoded} declares, for decoding a whole model without knowing it beforehand (a
   * client receiving the global model).
   *
   * @throws IllegalArgumentException if {@code encoded} is malformed, or if the codec cannot declare shapes (a sparse
   *                                  codec)
   */
  List<TensorSpec> declaredSpecs(ModelWeights encoded);

  /**
   * Whether the codec only encodes updates, as sparse values, so that it cannot carry a whole model to clients.
   * False by default.
   */
  default boolean sparse() {
    return false;
  }

  /**
   * Whether a client should keep what this codec dropped (the residual) and add it to its next update: error
   * feedback. False by default.
   */
  default boolean errorFeedback() {
    return false;
  }
}
