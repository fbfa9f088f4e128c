package dev.flotilla.core.strategy;

import java.util.OptionalDouble;

/**
 * The parameters of every strategy that {@link Strategies} builds; each strategy reads the ones it needs. Where
 * Flower's defaults differ between algorithms (the server learning rate, {@code β₁}, {@code τ}), an unset value
 * means the chosen algorithm's default, which {@link Strategies#create} fills in.
 *
 * @param proximalMu     FedProx {@code μ}, {@code >= 0}; default {@value FedProx#DEFAULT_PROXIMAL_MU}
 * @param serverLr       server learning rate {@code η}, positive; unset: FedAvgM 1.0, FedAdagrad and FedAdam 0.1,
 *                       FedYogi 0.01
 * @param serverMomentum FedAvgM momentum {@code β}, in [0, 1); default 0 (plain FedAvg, as in Flower)
 * @param beta1          FedOpt first-moment decay, in [0, 1); unset: FedAdagrad 0, FedAdam and FedYogi 0.9
 * @param beta2          FedAdam and FedYogi second-moment decay, in [0, 1); default 0.99
 * @param tau            FedOpt adaptivity {@code τ}, positive; unset: FedAdagrad and FedAdam 1e-9, FedYogi 1e-3
 * @param q              QFedAvg fairness exponent, {@code >= 0}; default {@value QFedAvg#DEFAULT_Q}
 * @param qLipschitz     QFedAvg Lipschitz constant {@code L}, positive; default {@value QFedAvg#DEFAULT_LIPSCHITZ}
 *                       (Flower's {@code qffl_learning_rate} is {@code 1 / L})
 * @param trimBeta       TrimmedMean fraction dropped at each end, in [0, 0.5); default
 *                       {@value TrimmedMean#DEFAULT_BETA}
 * @param byzantineF     Krum, multi-Krum and Bulyan: Byzantine clients tolerated, {@code >= 0}; default 0
 * @param multiKrumM     multi-Krum: how many best-scored models to average, {@code >= 0}; default 0, meaning
 *                       {@code n − f}
 */
public record StrategyOptions(double proximalMu, OptionalDouble serverLr, double serverMomentum,
    OptionalDouble beta1, double beta2, OptionalDouble tau, double q, double qLipschitz, double trimBeta,
    int byzantineF, int multiKrumM) {
  private static final StrategyOptions DEFAULTS = builder().build();

  /** @throws IllegalArgumentException with a one-line message naming the first parameter out of range */
  public StrategyOptions {
    requireAtLeastZero("proximalMu", proximalMu);
    serverLr.ifPresent(v -> requirePositive("serverLr", v));
    requireFraction("serverMomentum", serverMomentum);
    beta1.ifPresent(v -> requireFraction("beta1", v));
    requireFraction("beta2", beta2);
    tau.ifPresent(v -> requirePositive("tau", v));
    requireAtLeastZero("q", q);
    requirePositive("qLipschitz", qLipschitz);
    if (!(trimBeta >= 0 && trimBeta < 0.5)) {
      throw new IllegalArgumentException("trimBeta (the trim fraction) must be in [0, 0.5), got " + trimBeta);
    }
    if (byzantineF < 0) {
      throw new IllegalArgumentException("byzantineF must be >= 0, got " + byzantineF);
    }
    if (multiKrumM < 0) {
      throw new IllegalArgumentException("multiKrumM must be >= 0 (0 means n - f), got " + multiKrumM);
    }
  }

  /** Every parameter at its default. */
  public static StrategyOptions defaults() {
    return DEFAULTS;
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  private static void requirePositive(String name, double v) {
    if (!(v > 0) || Double.isInfinite(v)) {
      throw new IllegalArgumentException(name + " must be positive and finite, got " + v);
    }
  }

  private static void requireAtLeastZero(String name, double v) {
    if (!(v >= 0) || Double.isInfinite(v)) {
      throw new IllegalArgumentException(name + " must be >= 0 and finite, got " + v);
    }
  }

  private static void requireFraction(String name, double v) {
    if (!(v >= 0 && v < 1)) {
      throw new IllegalArgumentException(name + " must be in [0, 1), got " + v);
    }
  }

  /** Builds {@link StrategyOptions}; what is not set keeps its default. */
  public static final class Builder {
    private double proximalMu = FedProx.DEFAULT_PROXIMAL_MU;
    private OptionalDouble serverLr = OptionalDouble.empty();
    private double serverMomentum = FedAvgM.DEFAULT_MOMENTUM;
    private OptionalDouble beta1 = OptionalDouble.empty();
    private double beta2 = FedAdam.DEFAULTS.beta2();
    private OptionalDouble tau = OptionalDouble.empty();
    private double q = QFedAvg.DEFAULT_Q;
    private double qLipschitz = QFedAvg.DEFAULT_LIPSCHITZ;
    private double trimBeta = TrimmedMean.DEFAULT_BETA;
    private int byzantineF;
    private int multiKrumM;

    private Builder() {}

    /** Sets {@link StrategyOptions#proximalMu()}. */
    public Builder proximalMu(double v) {
      proximalMu = v;
      return this;
    }

    /** Sets {@link StrategyOptions#serverLr()}. */
    public Builder serverLr(double v) {
      serverLr = OptionalDouble.of(v);
      return this;
    }

    /** Sets {@link StrategyOptions#serverMomentum()}. */
    public Builder serverMomentum(double v) {
      serverMomentum = v;
      return this;
    }

    /** Sets {@link StrategyOptions#beta1()}. */
    public Builder beta1(double v) {
      beta1 = OptionalDouble.of(v);
      return this;
    }

    /** Sets {@link StrategyOptions#beta2()}. */
    public Builder beta2(double v) {
      beta2 = v;
      return this;
    }

    /** Sets {@link StrategyOptions#tau()}. */
    public Builder tau(double v) {
      tau = OptionalDouble.of(v);
      return this;
    }

    /** Sets {@link StrategyOptions#q()}. */
    public Builder q(double v) {
      q = v;
      return this;
    }

    /** Sets {@link StrategyOptions#qLipschitz()}. */
    public Builder qLipschitz(double v) {
      qLipschitz = v;
      return this;
    }

    /** Sets {@link StrategyOptions#trimBeta()}. */
    public Builder trimBeta(double v) {
      trimBeta = v;
      return this;
    }

    /** Sets {@link StrategyOptions#byzantineF()}. */
    public Builder byzantineF(int v) {
      byzantineF = v;
      return this;
    }

    /** Sets {@link StrategyOptions#multiKrumM()}. */
    public Builder multiKrumM(int v) {
      multiKrumM = v;
      return this;
    }

    /** @throws IllegalArgumentException naming the first parameter out of range */
    public StrategyOptions build() {
      return new StrategyOptions(proximalMu, serverLr, serverMomentum, beta1, beta2, tau, q, qLipschitz, trimBeta,
          byzantineF, multiKrumM);
    }
  }
}
