package dev.flotilla.djl;

import com.sun.management.OperatingSystemMXBean;
import dev.flotilla.core.client.Context;
import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.EvaluateResult;
import dev.flotilla.core.message.TrainInstructions;
import dev.flotilla.core.message.TrainResult;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.djl.data.FashionMnist;
import dev.flotilla.djl.data.LabelledImages;
import dev.flotilla.djl.model.Models;
import java.lang.management.ManagementFactory;

/**
 * Measures local training throughput (examples/s, one thread) and central evaluation time on real Fashion-MNIST.
 * Not a unit test: run it with {@code java -cp ... dev.flotilla.djl.TrainingBenchmark [model] [examples] [batch]}.
 */
public final class TrainingBenchmark {
  private TrainingBenchmark() {}

  /** Entry point. */
  public static void main(String[] args) {
    String model = args.length > 0 ? args[0] : "cnn";
    int examples = args.length > 1 ? Integer.parseInt(args[1]) : 6000;
    int batch = args.length > 2 ? Integer.parseInt(args[2]) : 32;
    int repeats = args.length > 3 ? Integer.parseInt(args[3]) : 3;
    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    LabelledImages train = FashionMnist.train().first(examples);
    LabelledImages test = FashionMnist.test();
    ModelWeights weights = Models.initialWeights(model, 1);
    java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    try (DjlClientApp app = new DjlClientApp(model, train, 7);
        DjlEvaluator evaluator = new DjlEvaluator(model, test)) {
      System.out.printf("engine %s, intra-op threads %d, inter-op threads %d%n", PyTorchRuntime.engine().getVersion(),
          PyTorchRuntime.intraOpThreads(), PyTorchRuntime.interOpThreads());
      for (int r = 0; r < repeats; r++) {
        long cpu0 = os.getProcessCpuTime();
        long thread0 = threads.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        TrainResult result = app.train(new TrainInstructions(weights,
            Config.of("batch_size", batch, "round", r)), Context.of("benchmark", Config.empty()));
        double seconds = (System.nanoTime() - t0) / 1e9;
        double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
        double threadCpu = (threads.getCurrentThreadCpuTime() - thread0) / 1e9;
        System.out.printf("round %d: %d examples in %.2f s = %.0f examples/s (%.0f per CPU-second of the training"
                + " thread; process CPU %.2f s = %.2f cores busy), train loss %.4f%n", r, examples, seconds,
            examples / seconds, examples / threadCpu, cpu, cpu / seconds, result.metrics().get("train_loss").orElse(0));
        weights = result.weights();
        long e0 = System.nanoTime();
        long ec0 = threads.getCurrentThreadCpuTime();
        EvaluateResult eval = evaluator.evaluate(weights);
        System.out.printf("  central evaluation of %d: %.2f s (%.2f CPU-s), loss %.4f, accuracy %.4f%n",
            eval.numExamples(), (System.nanoTime() - e0) / 1e9, (threads.getCurrentThreadCpuTime() - ec0) / 1e9,
            eval.loss(), eval.accuracy());
      }
    }
    try {
      java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status")).stream()
          .filter(l -> l.startsWith("VmHWM") || l.startsWith("VmRSS")).forEach(System.out::println);
    } catch (java.io.IOException e) {
      // not on Linux
    }
  }
}
