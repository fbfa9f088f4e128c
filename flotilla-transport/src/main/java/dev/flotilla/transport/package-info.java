/**
 * The wire protocol between server and clients, independent of which side uses it.
 *
 * <p>One bidirectional gRPC stream per connected client ({@code Fleet.Connect}, defined in {@code flotilla.proto})
 * carries every exchange as typed {@link dev.flotilla.core.message.Message}s. {@link MessageEncoder} cuts a message
 * into frames, streaming its arrays as little-endian float32 bytes in chunks; {@link MessageAssembler} rebuilds it
 * and checks each array's shape, length and CRC32; {@link FrameSender} writes frames with flow control. The
 * encoder and assembler are plain classes, usable and testable without gRPC.
 */
package dev.flotilla.transport;
