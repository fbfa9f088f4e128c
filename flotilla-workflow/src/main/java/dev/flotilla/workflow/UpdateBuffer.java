package dev.flotilla.workflow;

import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.message.TrainResult;
import dev.flotilla.core.strategy.ClientResult;
import dev.flotilla.core.tensor.DType;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The buffer of buffered asynchronous aggregation (FedBuff: Nguyen et al., "Federated Learning with Buffered
 * Asynchronous Aggregation", AISTATS 2022). Each accepted result adds its update {@code Δᵢ = wᵢ − w(vᵢ)}, taken
 * against the model version {@code vᵢ} its client started from, with its staleness weight {@code sᵢ}; once the
 * buffer holds {@code K} updates, the server applies their mean {@code (1/K) Σ sᵢ Δᵢ} to the current model.
 *
 * <p>The mean reaches the strategy as {@code K} results, result {@code i} being the model
 * {@code w + sᵢ Δᵢ} with one example, via {@link #results}: FedAvg's example-weighted mean of them is
 * {@code w + (1/K) Σ sᵢ Δᵢ}, FedBuff with a server learning rate of 1; a server optimiser (FedAvgM, FedAdam) takes
 * the same mean update as its pseudo-gradient, and central differential privacy clips each {@code sᵢ Δᵢ} and noises
 * their mean. As in the paper the mean is unweighted by examples.
 *
 * <p>Memory: one model's worth per buffered update. Not thread-safe: the workflow's thread owns it.
 */
public final class UpdateBuffer {
  private final List<Entry> entries = new ArrayList<>();

  /**
   * The update of {@code result} against {@code start}, the model its client was sent: the difference of every
   * float32 tensor of the result (a result may hold a part of the model, such as its shared layers; tensors of
   * other types, such as counters, are left out).
   *
   * @throws IllegalArgumentException naming the tensor if {@code start} lacks it or it is not float32 of its shape
   */
  public static ModelWeights update(ModelWeights result, ModelWeights start) {
    List<Tensor> out = new ArrayList<>(result.count());
    for (Tensor r : result.tensors()) {
      Tensor s = start.find(r.name()).orElseThrow(() -> new IllegalArgumentException(
          "the result holds tensor '" + r.name() + "', which the model lacks"));
      if (!r.spec().equals(s.spec())) {
        throw new IllegalArgumentException("tensor " + r.spec() + " does not match the model's " + s.spec());
      }
      if (r.dtype() != DType.FLOAT32) {
        continue; // counters and the like are not averaged: the global model's stay
      }
      float[] values = r.toArray();
      s.addScaledTo(values, -1f);
      out.add(Tensor.wrap(r.spec(), values));
    }
    return ModelWeights.of(out);
  }

  /** Adds {@code update} with staleness weight {@code weight}, which must be in [0, 1]. */
  public void add(String clientId, ModelWeights update, double weight, Metrics metrics) {
    if (!(weight >= 0 && weight <= 1)) {
      throw new IllegalArgumentException("a staleness weight must be in [0, 1], got " + weight);
    }
    entries.add(new Entry(clientId, update, weight, metrics));
  }

  /** Updates buffered. */
  public int size() {
    return entries.size();
  }

  /** The buffered updates' weights, in the order they were added. */
  public List<Double> weights() {
    return entries.stream().map(Entry::weight).toList();
  }

  /**
   * One result per buffered update: the model {@code global + sᵢ Δᵢ} (tensors the update lacks are the global
   * model's) with 1 example and the client's metrics, in the order they were added.
   */
  public List<ClientResult<TrainResult>> results(ModelWeights global) {
    List<ClientResult<TrainResult>> out = new ArrayList<>(entries.size());
    for (Entry e : entries) {
      List<Tensor> tensors = new ArrayList<>(global.count());
      for (Tensor g : global.tensors()) {
        Tensor u = e.update().find(g.name()).orElse(null);
        if (u == null) {
          tensors.add(g);
        } else {
          float[] values = g.toArray();
          u.addScaledTo(values, (float) e.weight());
          tensors.add(Tensor.wrap(g.spec(), values));
        }
      }
      out.add(new ClientResult<>(e.clientId(), new TrainResult(ModelWeights.of(tensors), 1, e.metrics())));
    }
    return out;
  }

  /** The mean weighted update {@code (1/K) Σ sᵢ Δᵢ} over the tensors of {@code global}; zeros for an empty buffer. */
  public ModelWeights meanUpdate(ModelWeights global) {
    List<Tensor> out = new ArrayList<>(global.count());
    for (Tensor g : global.tensors()) {
      if (g.dtype() != DType.FLOAT32) {
        out.add(Tensor.zeros(g.spec()));
        continue;
      }
      float[] acc = new float[g.size()];
      for (Entry e : entries) {
        e.update().find(g.name()).ifPresent(u -> u.addScaledTo(acc, (float) (e.weight() / entries.size())));
      }
      out.add(Tensor.wrap(g.spec(), acc));
    }
    return ModelWeights.of(out);
  }

  /** Empties the buffer. */
  public void clear() {
    entries.clear();
  }

  private record Entry(String clientId, ModelWeights update, double weight, Metrics metrics) {}
}
