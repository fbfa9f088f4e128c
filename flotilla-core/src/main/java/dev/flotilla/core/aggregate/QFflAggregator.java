package dev.flotilla.core.aggregate;

import dev.flotilla.core.FlotillaException;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The q-FedAvg step (Li, Sanjabi, Beirami and Smith, "Fair Resource Allocation in Federated Learning", ICLR 2020,
 * Algorithm 2), folded one client at a time so that memory is one model. For the global model {@code w}, client
 * models {@code wₖ} and client losses {@code Fₖ}:
 *
 * <pre>
 *   Δₖ  = L (w − wₖ)
 *   hₖ  = q Fₖ^(q−1) ‖Δₖ‖² + L Fₖ^q
 *   new = w − Σₖ Fₖ^q Δₖ / Σₖ hₖ
 * </pre>
 *
 * <p>{@code q ≥ 0} sets the fairness: {@code q = 0} gives the unweighted mean of the client models, a larger
 * {@code q} weighs clients with a higher loss more. {@code L} is the Lipschitz constant of the gradient; the paper's
 * code and Flower set {@code L = 1 / η} for a learning rate {@code η} (Flower's {@code qffl_learning_rate}). As
 * there, {@code 1e-10} is added to every loss so that a zero loss has finite powers.
 */
public final class QFflAggregator {
  /** Added to every loss, as in the reference code. */
  public static final double LOSS_EPSILON = 1e-10;

  private final ModelWeights global;
  private final double q;
  private final double lipschitz;
  private float[][] acc; // Σ Fₖ^q Δₖ, allocated by the first fold
  private double hSum;
  private double lossSum;
  private int count;

  /**
   * @param global    the model the clients started from
   * @param q         the fairness exponent, {@code >= 0}
   * @param lipschitz {@code L}, positive
   */
  public QFflAggregator(ModelWeights global, double q, double lipschitz) {
    if (!(q >= 0) || Double.isInfinite(q)) {
      throw new IllegalArgumentException("q must be >= 0 and finite, got " + q);
    }
    if (!(lipschitz > 0) || Double.isInfinite(lipschitz)) {
      throw new IllegalArgumentException("the Lipschitz constant must be positive and finite, got " + lipschitz);
    }
    this.global = global;
    this.q = q;
    this.lipschitz = lipschitz;
  }

  /**
   * Adds one client's model and loss.
   *
   * @throws IllegalArgumentException if the loss is negative or not finite, or the model does not match the
   *                                  global one (naming the tensor)
   */
  public void fold(ModelWeights model, double loss) {
    if (!(loss >= 0) || Double.isInfinite(loss)) {
      throw new IllegalArgumentException("a client loss must be >= 0 and finite, got " + loss);
    }
    UpdateValidator.requireSpecs(global.specs(), model);
    if (acc == null) {
      acc = new float[global.count()][];
      for (int t = 0; t < acc.length; t++) {
        acc[t] = new float[global.get(t).size()];
      }
    }
    double f = loss + LOSS_EPSILON;
    double fq = Math.pow(f, q);
    double squaredNorm = 0; // ‖w − wₖ‖²
    for (int t = 0; t < acc.length; t++) {
      FloatBuffer w = global.get(t).buffer();
      FloatBuffer wk = model.get(t).buffer();
      float scale = (float) (fq * lipschitz);
      float[] a = acc[t];
      for (int j = 0; j < a.length; j++) {
        float diff = w.get(j) - wk.get(j);
        squaredNorm += (double) diff * diff;
        a[j] += scale * diff;
      }
    }
    hSum += q * Math.pow(f, q - 1) * lipschitz * lipschitz * squaredNorm + lipschitz * fq;
    lossSum += loss;
    count++;
  }

  /** Number of clients folded so far. */
  public int count() {
    return count;
  }

  /** Unweighted mean of the losses folded so far; NaN before the first. */
  public double meanLoss() {
    return count == 0 ? Double.NaN : lossSum / count;
  }

  /** {@code w − Σ Fₖ^q Δₖ / Σ hₖ}. Fails when nothing was folded. */
  public ModelWeights result() {
    if (count == 0) {
      throw new FlotillaException("no client was folded, so there is no q-FedAvg step");
    }
    List<Tensor> out = new ArrayList<>(acc.length);
    for (int t = 0; t < acc.length; t++) {
      float[] w = global.get(t).toArray();
      float[] a = acc[t];
      for (int j = 0; j < w.length; j++) {
        w[j] = (float) (w[j] - a[j] / hSum);
      }
      out.add(Tensor.wrap(global.get(t).spec(), w));
    }
    return ModelWeights.of(out);
  }
}
