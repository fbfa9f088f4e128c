/**
 * Local training and evaluation with DJL on the PyTorch engine: {@link dev.flotilla.djl.DjlClientApp} (a
 * {@code ClientApp}) and {@link dev.flotilla.djl.DjlEvaluator} (central evaluation). Every native array is owned by an
 * {@code AutoCloseable} here and freed by it; {@link dev.flotilla.djl.PyTorchRuntime} loads the engine offline with
 * one compute thread.
 */
package dev.flotilla.djl;
