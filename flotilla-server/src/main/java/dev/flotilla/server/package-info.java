/**
 * The coordinator's connection layer: {@link FlotillaServer} listens for clients, {@link ClientRegistry} holds the
 * connected ones, and {@link ClientProxy} sends one of them requests and returns its {@link Reply}. Round logic lives
 * in workflows ({@link dev.flotilla.server.workflow}), which use only these types.
 */
package dev.flotilla.server;
