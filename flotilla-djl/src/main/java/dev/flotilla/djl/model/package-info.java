/**
 * Model definitions with PyTorch tensor names and shapes ({@code cnn}, {@code mlp}, {@code cnn-bn}) and their seeded
 * initial weights, computed in Java so that they are engine-independent. See {@link dev.flotilla.djl.model.Models}.
 */
package dev.flotilla.djl.model;
