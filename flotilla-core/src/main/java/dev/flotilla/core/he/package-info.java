/**
 * Aggregation under additively homomorphic encryption (Paillier, EUROCRYPT 1999), for cross-silo federations: clients
 * encrypt their quantised updates under a key holder's public key, several values packed per ciphertext
 * ({@link dev.flotilla.core.he.PackedEncoding}); the server multiplies the ciphertexts, which adds the plaintexts,
 * and the key holder decrypts only the sum. {@link dev.flotilla.core.he.Paillier} is the scheme on the JDK's
 * {@code BigInteger}; {@link dev.flotilla.core.he.PaillierMod} the client side (key holder and encrypting client);
 * the server side is {@code dev.flotilla.workflow.he.PaillierStage}.
 */
package dev.flotilla.core.he;
