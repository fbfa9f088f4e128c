/**
 * The coordinator's connection layer: {@link FlotillaServer} listens for clients, {@link ClientRegistry} holds the
 * connected ones as a {@link Fleet}, and {@link ClientProxy} sends one of them requests and returns its
 * {@link Reply}. Round logic lives in workflows ({@link dev.flotilla.workflow}), which use only these types and
 * reach clients through the {@link Fleet} interface, so that a simulation can drive them over virtual clients.
 */
package dev.flotilla.server;
