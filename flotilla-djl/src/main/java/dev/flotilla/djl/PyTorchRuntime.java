package dev.flotilla.djl;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import dev.flotilla.core.FlotillaException;

/**
 * Loads DJL's PyTorch engine once per process, offline and with one compute thread.
 *
 * <p>Before the engine first loads, this sets three system properties unless the user already set them:
 * {@value #OFFLINE_PROPERTY}{@code =true} (so that nothing is ever downloaded: the native library comes from the
 * {@code pytorch-native-cpu} jar on the class path), {@value #THREADS_PROPERTY}{@code =1} and
 * {@value #INTEROP_THREADS_PROPERTY}{@code =1}. One intra-op thread per training worker is what Flotilla wants: a
 * client process trains on one core, and virtual clients in a simulation scale by running several workers rather
 * than by sharing cores inside one operation. If some other code loaded the engine first, the intra-op thread count
 * is still set here (it can change at any time; the inter-op count cannot).
 *
 * <p>Thread-safe. Code in this module calls {@link #engine()} before it creates any native array, so users need
 * not call it, except to load the engine early or to read the thread counts.
 */
public final class PyTorchRuntime {
  /** The DJL property that forbids downloads. */
  public static final String OFFLINE_PROPERTY = "ai.djl.offline";
  /** The DJL property for libtorch's intra-op thread count (threads inside one operation). */
  public static final String THREADS_PROPERTY = "ai.djl.pytorch.num_threads";
  /** The DJL property for libtorch's inter-op thread count (operations run in parallel). */
  public static final String INTEROP_THREADS_PROPERTY = "ai.djl.pytorch.num_interop_threads";
  /** The name of DJL's PyTorch engine. */
  public static final String ENGINE_NAME = "PyTorch";

  private static volatile Engine engine;

  private PyTorchRuntime() {}

  /** The PyTorch engine, loaded on the first call (about a second, more when its native library is first unpacked). */
  public static Engine engine() {
    Engine e = engine;
    if (e == null) {
      synchronized (PyTorchRuntime.class) {
        e = engine;
        if (e == null) {
          e = load();
          engine = e;
        }
      }
    }
    return e;
  }

  /** libtorch's intra-op thread count; 1 unless {@value #THREADS_PROPERTY} says otherwise. */
  public static int intraOpThreads() {
    engine();
    return JniUtils.getNumThreads();
  }

  /** libtorch's inter-op thread count. */
  public static int interOpThreads() {
    engine();
    return JniUtils.getNumInteropThreads();
  }

  private static Engine load() {
    setIfAbsent(OFFLINE_PROPERTY, "true");
    setIfAbsent(THREADS_PROPERTY, "1");
    setIfAbsent(INTEROP_THREADS_PROPERTY, "1");
    int threads = positiveInt(THREADS_PROPERTY);
    positiveInt(INTEROP_THREADS_PROPERTY);
    Engine e;
    try {
      e = Engine.getEngine(ENGINE_NAME);
    } catch (RuntimeException | UnsatisfiedLinkError ex) {
      throw new FlotillaException("cannot load DJL's PyTorch engine (offline, from the pytorch-native-cpu jar on the"
          + " class path): " + ex, ex);
    }
    if (JniUtils.getNumThreads() != threads) {
      JniUtils.setNumThreads(threads);
    }
    return e;
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }

  private static int positiveInt(String key) {
    String v = System.getProperty(key);
    try {
      int n = Integer.parseInt(v.trim());
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new FlotillaException("system property " + key + " = '" + v + "' must be a whole number >= 1");
  }
}
