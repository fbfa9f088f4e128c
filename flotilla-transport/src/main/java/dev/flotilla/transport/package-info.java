/**
 * The wire protocol between server and clients, independent of which side uses it.
 *
 * <p>One bidirectional gRPC stream per connected client ({@code Fleet.Connect}, defined in {@code flotilla.proto})
 * carries every exchange as typed {@link dev.flotilla.core.message.Message}s, whose
 * {@link dev.flotilla.core.message.Metadata} holds the ids that place them on the stream. {@link MessageEncoder}
 * cuts a message into frames, streaming its arrays (of any {@link dev.flotilla.core.tensor.DType}) as little-endian
 * bytes in chunks; {@link MessageAssembler} rebuilds it, checks each array's shape, length and CRC32, and lets a
 * {@link HeaderPolicy} refuse a message from its {@link MessageHeader} before any array memory is allocated;
 * {@link FrameSender} writes frames with flow control. The encoder and assembler are plain classes, usable and
 * testable without gRPC. {@link Protocol} holds the version and size limits.
 */
package dev.flotilla.transport;
