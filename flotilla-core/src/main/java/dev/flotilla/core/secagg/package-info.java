/**
 * Secure aggregation, SecAgg+ (Bell, Bonawitz, Gascón, Lepoint and Raykova, "Secure Single-Server Aggregation with
 * (Poly)Logarithmic Overhead", CCS 2020, after Bonawitz et al., CCS 2017): the server learns the sum of the clients'
 * updates and nothing else about any one of them. The client side is {@link dev.flotilla.core.secagg.SecAggPlusMod};
 * the server side is the workflow stage {@code dev.flotilla.workflow.secagg.SecAggPlusStage}. The building blocks are
 * here: {@link dev.flotilla.core.secagg.SecAggSettings}, the ring quantiser
 * {@link dev.flotilla.core.secagg.RingQuantizer}, the mask generator {@link dev.flotilla.core.secagg.MaskExpander}
 * (AES-CTR), Shamir sharing {@link dev.flotilla.core.secagg.Shamir} and the key agreement and share encryption of
 * {@link dev.flotilla.core.secagg.SecAggCrypto} (X25519, HKDF-SHA256, AES-GCM, all from the JDK).
 */
package dev.flotilla.core.secagg;
