package dev.flotilla.core.tensor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * An ordered record of uniquely named, typed tensors: the parameters of a model, an update, or the arrays of any
 * message (masks, quantised values, ciphertext bytes). Tensors are found by index or by name. Immutable.
 */
public final class ModelWeights {
  private static final ModelWeights EMPTY = new ModelWeights(List.of());
  private final List<Tensor> tensors;
  private final Map<String, Integer> index;

  private ModelWeights(List<Tensor> tensors) {
    Map<String, Integer> byName = new HashMap<>(tensors.size() * 2);
    for (int i = 0; i < tensors.size(); i++) {
      if (byName.put(tensors.get(i).name(), i) != null) {
        throw new IllegalArgumentException("duplicate tensor name '" + tensors.get(i).name() + "'");
      }
    }
    this.tensors = tensors;
    this.index = byName;
  }

  public static ModelWeights of(List<Tensor> tensors) {
    return new ModelWeights(List.copyOf(tensors));
  }

  public static ModelWeights of(Tensor... tensors) {
    return new ModelWeights(List.of(tensors));
  }

  public static ModelWeights empty() {
    return EMPTY;
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

  public boolean isEmpty() {
    return tensors.isEmpty();
  }

  public Tensor get(int index) {
    return tensors.get(index);
  }

  /** The tensor called {@code name}; throws naming it and the names there are if there is none. */
  public Tensor get(String name) {
    return find(name).orElseThrow(() -> new IllegalArgumentException(
        "no tensor named '" + name + "'; there are " + names()));
  }

  /** The tensor called {@code name}, if any. */
  public Optional<Tensor> find(String name) {
    Integer i = index.get(name);
    return i == null ? Optional.empty() : Optional.of(tensors.get(i));
  }

  /** Whether a tensor is called {@code name}. */
  public boolean has(String name) {
    return index.containsKey(name);
  }

  /** The names in order. */
  public List<String> names() {
    return tensors.stream().map(Tensor::name).collect(Collectors.toUnmodifiableList());
  }

  public List<TensorSpec> specs() {
    return tensors.stream().map(Tensor::spec).collect(Collectors.toUnmodifiableList());
  }

  /** The tensors whose name {@code keep} accepts, in order. */
  public ModelWeights filter(Predicate<String> keep) {
    List<Tensor> out = new ArrayList<>(tensors.size());
    for (Tensor t : tensors) {
      if (keep.test(t.name())) {
        out.add(t);
      }
    }
    return out.size() == tensors.size() ? this : new ModelWeights(List.copyOf(out));
  }

  /**
   * These tensors with those of {@code overrides} in place of the ones of the same name; tensors of
   * {@code overrides} that are not here are appended in their order.
   */
  public ModelWeights replacing(ModelWeights overrides) {
    if (overrides.isEmpty()) {
      return this;
    }
    List<Tensor> out = new ArrayList<>(tensors.size() + overrides.count());
    for (Tensor t : tensors) {
      out.add(overrides.find(t.name()).orElse(t));
    }
    for (Tensor t : overrides.tensors) {
      if (!index.containsKey(t.name())) {
        out.add(t);
      }
    }
    return new ModelWeights(List.copyOf(out));
  }

  /** Total number of elements. */
  public long numParameters() {
    long n = 0;
    for (Tensor t : tensors) {
      n += t.size();
    }
    return n;
  }

  /** Total size of the values in bytes, as they travel on the wire. */
  public long byteSize() {
    long n = 0;
    for (Tensor t : tensors) {
      n += t.byteSize();
    }
    return n;
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
