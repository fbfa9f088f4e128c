package dev.flotilla.core.client;

import dev.flotilla.core.message.Message;

/**
 * The code that runs at a site: answers each message the server sends. The same {@code ClientApp} runs behind a
 * network client in deployment and as a virtual client in simulation, and sees the same messages and the same
 * {@link Context} in both. Most apps only train and evaluate and implement {@link TrainEvaluateApp}, which answers
 * {@code train} and {@code evaluate} messages; an app that takes part in other exchanges implements this method.
 *
 * <p>State that must survive from one message to the next (personal layers, error-feedback residuals, keys) belongs
 * in {@link Context#state()}, not in fields: a simulation may make a fresh app for each message, a deployment keeps
 * one, and only the context is the same in both.
 *
 * <p>Threading: the client SDK calls one method at a time per client. A {@code RuntimeException} thrown here is
 * reported to the server as an error reply; it does not end the client.
 */
@FunctionalInterface
public interface ClientApp {
  /**
   * The reply to {@code message}: a result, or an error made with {@link Message#error}. The runtime fills in the
   * reply's metadata (reply-to, group, model version).
   */
  Message handle(Message message, Context context);
}
