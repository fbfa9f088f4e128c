package dev.flotilla.core.tensor;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The parameters of a model: an ordered list of tensors with unique names. Immutable.
 */
public final class ModelWeights {
  private final List<Tensor> tensors;

  private ModelWeights(List<Tensor> tensors) {
    Set<String> names = new HashSet<>();
    for (Tensor t : tensors) {
      if (!names.add(t.name())) {
        throw new IllegalArgumentException("duplicate tensor name '" + t.name() + "'");
      }
    }
    this.tensors = tensors;
  }

  public static ModelWeights of(List<Tensor> tensors) {
    return new ModelWeights(List.copyOf(tensors));
  }

  public static ModelWeights empty() {
    return new ModelWeights(List.of());
  }

  /** Zeros with the given specs. */
  public static ModelWeights zeros(List<TensorSpec> specs) {
    List<Tensor> out = new ArrayList<>(specs.size());
    for (TensorSpec s : specs) {
      out.add(Tensor.zeros(s));
    }
    return new ModelWeights(List.copyOf(out));
  }

  public List<Tensor> tensors() {
    return tensors;
  }

  public int count() {
    return tensors.size();
  }

  public Tensor get(int index) {
    return tensors.get(index);
  }

  public List<TensorSpec> specs() {
    return tensors.stream().map(Tensor::spec).collect(Collectors.toUnmodifiableList());
  }

  /** Total number of scalar parameters. */
  public long numParameters() {
    long n = 0;
    for (Tensor t : tensors) {
      n += t.size();
    }
    return n;
  }

  /** Total size of the values in bytes. */
  public long byteSize() {
    return 4 * numParameters();
  }

  /** True if both hold the same specs in the same order and bit-identical values. */
  public boolean contentEquals(ModelWeights other) {
    if (other.tensors.size() != tensors.size()) {
      return false;
    }
    for (int i = 0; i < tensors.size(); i++) {
      if (!tensors.get(i).contentEquals(other.tensors.get(i))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return "ModelWeights" + specs() + " (" + numParameters() + " parameters)";
  }
}
