package dev.flotilla.store;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Where tests find a PostgreSQL server: the JDBC URL in an environment variable that {@code .ci/run} sets. */
public final class PostgresForTests {
  /** The variable that holds the JDBC URL of a throwaway database, e.g. set by {@code eval "$(bash .ci/postgres.sh)"}. */
  public static final String URL_VARIABLE = "FLOTILLA_TEST_PG_URL";

  private PostgresForTests() {}

  /** The URL, or null when unset. */
  public static String url() {
    String url = System.getenv(URL_VARIABLE);
    return url == null || url.isBlank() ? null : url;
  }

  /**
   * Skips the calling test, with a message that says how to run it, when no server is given; on CI
   * ({@code CI=true}) a missing server fails instead, so that these tests cannot silently not run there.
   */
  public static void assumeAvailable() {
    if (url() != null) {
      return;
    }
    String message = URL_VARIABLE + " is not set: skipping the PostgreSQL tests (start a server with"
        + " eval \"$(bash .ci/postgres.sh)\")";
    if ("true".equals(System.getenv("CI"))) {
      throw new IllegalStateException(message + "; on CI .ci/run must set it");
    }
    System.err.println(message);
    assumeTrue(false, message);
  }
}
