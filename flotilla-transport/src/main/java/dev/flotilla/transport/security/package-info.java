/**
 * The building blocks of a secure federation: TLS on the gRPC port and clients that prove who they are.
 *
 * <ul>
 *   <li>{@link dev.flotilla.transport.security.ServerTls} and {@link dev.flotilla.transport.security.ClientTls}
 *       build gRPC's TLS contexts from PEM files (optionally mutual TLS), failing with one line that names the bad
 *       file; {@link dev.flotilla.transport.security.PemFiles} reads and writes those files.</li>
 *   <li>A client holds a {@link dev.flotilla.transport.security.ClientKey} (Ed25519; {@code client.key} and
 *       {@code client.pub}); the server admits the ids and keys of its
 *       {@link dev.flotilla.transport.security.AuthorizedKeys} file, one
 *       {@link dev.flotilla.transport.security.AuthorizedKey} line per client.</li>
 *   <li>Per connection, the server issues an {@link dev.flotilla.transport.security.AuthChallenge}; the client
 *       signs it with its id and the connection's {@link dev.flotilla.transport.security.ChannelBinding}; the
 *       server verifies the signature against the key bound to that id, or refuses with an
 *       {@link dev.flotilla.transport.security.AuthenticationException}.</li>
 * </ul>
 *
 * <p>Signatures, hashes, randomness and TLS all come from the JDK's providers (and BoringSSL through gRPC); nothing
 * here implements cryptography.
 */
package dev.flotilla.transport.security;
