package dev.flotilla.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.flotilla.djl.data.FashionMnist;
import dev.flotilla.djl.data.LabelledImages;
import dev.flotilla.djl.model.Models;

public final class ScratchProfile {
  public static void main(String[] args) {
    String modelName = args.length > 0 ? args[0] : "cnn";
    int batch = args.length > 1 ? Integer.parseInt(args[1]) : 32;
    int iters = 100;
    LabelledImages data = FashionMnist.test().first(batch * iters);
    DjlModel model = new DjlModel(Models.network(modelName));
    model.load(Models.initialWeights(modelName, 1));
    BatchAssembler asm = new BatchAssembler(batch, 28, 28);
    for (int rep = 0; rep < 3; rep++) {
      long tAsm = 0, tFwd = 0, tLoss = 0, tBwd = 0, tUpd = 0;
      for (NDArray p : model.parameters()) p.setRequiresGradient(true);
      for (int it = 0; it < iters; it++) {
        try (NDManager scope = model.manager().newSubManager()) {
          long t0 = System.nanoTime();
          NDList b = asm.assemble(scope, data, null, it * batch, batch);
          long t1 = System.nanoTime();
          Autograd.setEnabled(true);
          NDArray logits = model.forward(b.get(0));
          long t2 = System.nanoTime();
          NDArray loss = logits.logSoftmax(1).gather(b.get(1), 1).mean().neg();
          long t3 = System.nanoTime();
          Autograd.backward(loss);
          Autograd.setEnabled(false);
          long t4 = System.nanoTime();
          for (NDArray p : model.parameters()) {
            try (NDArray g = p.getGradient()) { Autograd.sgdStep(p, g, null, 0.01f, 0f); }
            Autograd.zeroGradient(p);
          }
          loss.getFloat();
          long t5 = System.nanoTime();
          tAsm += t1 - t0; tFwd += t2 - t1; tLoss += t3 - t2; tBwd += t4 - t3; tUpd += t5 - t4;
        }
      }
      long tInf = 0;
      for (NDArray p : model.parameters()) p.setRequiresGradient(false);
      for (int it = 0; it < iters; it++) {
        try (NDManager scope = model.manager().newSubManager()) {
          long t0 = System.nanoTime();
          NDList b = asm.assemble(scope, data, null, it * batch, batch);
          NDArray logits = model.forward(b.get(0));
          logits.toFloatArray();
          tInf += System.nanoTime() - t0;
        }
      }
      double per = iters * 1e6;
      System.out.printf("per batch ms: assemble %.3f fwd %.3f loss %.3f bwd %.3f update %.3f | total %.3f => %.0f ex/s | inference %.3f => %.0f ex/s%n",
          tAsm / per, tFwd / per, tLoss / per, tBwd / per, tUpd / per, (tAsm + tFwd + tLoss + tBwd + tUpd) / per,
          batch * 1e9 * iters / (tAsm + tFwd + tLoss + tBwd + tUpd), tInf / per, batch * 1e9 * iters / tInf);
    }
    model.close();
  }
}
