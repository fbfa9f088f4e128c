/**
 * Labelled image data: IDX files (read plain or gzipped, written plain), the in-memory
 * {@link dev.flotilla.djl.data.LabelledImages}, Fashion-MNIST, and the per-client data folder that
 * {@code flotilla partition} writes and {@code flotilla client} reads.
 */
package dev.flotilla.djl.data;
