package dev.flotilla.core.compress;

import dev.flotilla.core.tensor.DType;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.core.tensor.TensorSpec;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * What the codecs that encode each tensor on its own share: input checks, the walk over the tensors, the refusal of
 * arrays that belong to no tensor and of non-finite decoded values. A tensor counts as encoded when its
 * {@link #primaryPart()} is present; a dense codec's primary part has the tensor's shape, which
 * {@link #declaredSpecs} reads.
 */
abstract class TensorwiseCodec implements Codec {
  /** The part that every encoded tensor has, such as {@code q}. */
  abstract String primaryPart();

  /** Appends the arrays that encode the finite float32 {@code values} of tensor {@code spec} to {@code out}. */
  abstract void encodeTensor(TensorSpec spec, FloatBuffer values, Random random, List<Tensor> out);

  /** The float32 tensor of {@code spec} that {@code arrays} encode (its primary part is present). */
  abstract Tensor decodeTensor(TensorSpec spec, EncodedArrays arrays);

  @Override
  public final ModelWeights encode(ModelWeights values, Random random) {
    List<Tensor> out = new ArrayList<>(2 * values.count());
    for (Tensor t : values.tensors()) {
      if (t.dtype() != DType.FLOAT32) {
        throw new IllegalArgumentException(name() + ": tensor '" + t.name() + "' is " + t.dtype() + ", not float32");
      }
      int bad = t.firstNonFinite();
      if (bad >= 0) {
        throw new IllegalArgumentException(name() + ": tensor '" + t.name() + "' has a non-finite value ("
            + t.get(bad) + ") at index " + bad);
      }
      encodeTensor(t.spec(), t.buffer(), random, out);
    }
    return ModelWeights.of(out);
  }

  @Override
  public final ModelWeights decode(ModelWeights encoded, List<TensorSpec> specs) {
    EncodedArrays arrays = new EncodedArrays(encoded, name());
    List<Tensor> out = new ArrayList<>(specs.size());
    for (TensorSpec spec : specs) {
      if (spec.dtype() != DType.FLOAT32) {
        throw new IllegalArgumentException(name() + ": can only decode float32 tensors, not " + spec);
      }
      if (!arrays.has(spec.name(), primaryPart())) {
        continue;
      }
      Tensor t = decodeTensor(spec, arrays);
      int bad = t.firstNonFinite();
      if (bad >= 0) {
        throw arrays.problem(spec.name(), "decodes to a non-finite value (" + t.get(bad) + ") at index " + bad);
      }
      out.add(t);
    }
    arrays.requireAllTaken();
    return ModelWeights.of(out);
  }

  /** {@inheritDoc} The float32 specs of the primary parts, in their order. */
  @Override
  public List<TensorSpec> declaredSpecs(ModelWeights encoded) {
    String suffix = "/" + primaryPart();
    List<TensorSpec> out = new ArrayList<>();
    for (Tensor t : encoded.tensors()) {
      if (t.name().endsWith(suffix) && t.name().length() > suffix.length()) {
        out.add(new TensorSpec(t.name().substring(0, t.name().length() - suffix.length()), t.shape()));
      }
    }
    return List.copyOf(out);
  }

  @Override
  public String toString() {
    return name();
  }
}
