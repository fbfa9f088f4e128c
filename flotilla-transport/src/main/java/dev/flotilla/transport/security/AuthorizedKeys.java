package dev.flotilla.transport.security;

import dev.flotilla.core.FlotillaException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The clients a server admits: each client id with the one public key that proves it (OpenSSH's
 * {@code authorized_keys}, for Flotilla). A file holds one {@link AuthorizedKey} line per client; blank lines and
 * lines starting with {@code #} are ignored:
 * <pre>{@code
 * # hospital A
 * ed25519 MCowBQYDK2VwAyEAq8...= site-1
 * ed25519 MCowBQYDK2VwAyEA7Z...= site-2
 * }</pre>
 * A client id appears once and a key once: an id is bound to its key, and one key cannot speak for two clients.
 * Immutable and thread-safe.
 */
public final class AuthorizedKeys {
  private final Map<String, AuthorizedKey> byClientId;

  private AuthorizedKeys(Map<String, AuthorizedKey> byClientId) {
    this.byClientId = byClientId;
  }

  /**
   * The keys of {@code file}. Throws {@link FlotillaException} with one line, {@code FILE:LINE: what}, for the first
   * bad line, a repeated client id or key, a file that lists no key, or a file that cannot be read.
   */
  public static AuthorizedKeys read(Path file) {
    List<String> lines = PemFiles.readText(file, "authorized keys").lines().toList();
    AuthorizedKeys keys = parse(file.toString(), lines);
    if (keys.size() == 0) {
      throw new FlotillaException("authorized keys file " + file + " lists no key, so every client would be refused");
    }
    return keys;
  }

  /** The keys of {@code lines}, read as a file named {@code source} in error messages; see {@link #read}. */
  public static AuthorizedKeys parse(String source, List<String> lines) {
    Map<String, AuthorizedKey> byId = new LinkedHashMap<>();
    Map<String, Integer> lineOfId = new LinkedHashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int number = i + 1;
      AuthorizedKey key;
      try {
        key = AuthorizedKey.parse(line);
      } catch (IllegalArgumentException e) {
        throw new FlotillaException(source + ":" + number + ": " + e.getMessage());
      }
      Integer earlier = lineOfId.get(key.clientId());
      if (earlier != null) {
        throw new FlotillaException(source + ":" + number + ": client id '" + key.clientId()
            + "' already has a key on line " + earlier + "; give each client one key");
      }
      for (AuthorizedKey other : byId.values()) {
        if (other.sameKey(key.publicKey())) {
          throw new FlotillaException(source + ":" + number + ": this key is already bound to client '"
              + other.clientId() + "' on line " + lineOfId.get(other.clientId()) + "; give each client its own key");
        }
      }
      byId.put(key.clientId(), key);
      lineOfId.put(key.clientId(), number);
    }
    return new AuthorizedKeys(byId);
  }

  /** The given keys; throws {@link IllegalArgumentException} if a client id or a key appears twice. */
  public static AuthorizedKeys of(Collection<AuthorizedKey> keys) {
    List<String> lines = new ArrayList<>(keys.size());
    keys.forEach(k -> lines.add(k.toLine()));
    try {
      return parse("keys", lines);
    } catch (FlotillaException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  /** The key bound to {@code clientId}, if that client is admitted. */
  public Optional<AuthorizedKey> find(String clientId) {
    return Optional.ofNullable(byClientId.get(clientId));
  }

  /** Every key, in file order. */
  public List<AuthorizedKey> keys() {
    return List.copyOf(byClientId.values());
  }

  /** The number of admitted clients. */
  public int size() {
    return byClientId.size();
  }
}
