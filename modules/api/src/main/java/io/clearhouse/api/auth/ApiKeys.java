package io.clearhouse.api.auth;

import com.typesafe.config.Config;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Bearer API keys, stored only as SHA-256 hashes ({@code clearhouse.api.keys}).
 *
 * <p>Keys are random tokens of at least 128 bits issued by operators, so a fast hash is enough:
 * there is nothing to brute-force that a slow KDF would protect, and every request pays for it. The
 * config never holds a secret, so it can be reviewed and versioned.
 */
public final class ApiKeys {
  /** Tokens shorter than this cannot carry 128 bits of entropy in any sane alphabet. */
  public static final int TOKEN_LENGTH_MIN = 20;

  private static final int TOKEN_LENGTH_MAX = 256;

  private final Map<String, Principal> byHashHex;

  public ApiKeys(Map<String, Principal> byHashHex) {
    this.byHashHex = Map.copyOf(byHashHex);
  }

  /**
   * Reads {@code keys = [{ name, sha256, role, accounts | venues | lps = [...] }]}: a trader key
   * lists its accounts, a venue key its venues, an LP key its LP ids.
   */
  public static ApiKeys fromConfig(Config api) {
    Map<String, Principal> byHash = new HashMap<>();
    for (Config key : api.getConfigList("keys")) {
      String hash = key.getString("sha256").toLowerCase(Locale.ROOT);
      if (!hash.matches("[0-9a-f]{64}")) {
        throw new IllegalArgumentException("api key " + key.getString("name") + ": bad sha256");
      }
      Role role = Role.valueOf(key.getString("role").toUpperCase(Locale.ROOT));
      Principal previous =
          byHash.put(hash, new Principal(key.getString("name"), role, boundIds(key, role)));
      if (previous != null) {
        throw new IllegalArgumentException("two api keys share one hash: " + previous.name());
      }
    }
    return new ApiKeys(byHash);
  }

  private static List<String> boundIds(Config key, Role role) {
    String path =
        switch (role) {
          case TRADER -> "accounts";
          case VENUE -> "venues";
          case LP -> "lps";
          case ORACLE -> "underlyings";
          case OPERATOR -> "";
        };
    return !path.isEmpty() && key.hasPath(path) ? key.getStringList(path) : List.of();
  }

  /** Resolves an {@code Authorization} header value ("Bearer <token>") to its principal. */
  public Optional<Principal> authenticate(Optional<String> authorization) {
    if (authorization.isEmpty() || !authorization.get().startsWith("Bearer ")) {
      return Optional.empty();
    }
    String token = authorization.get().substring("Bearer ".length()).strip();
    if (token.length() < TOKEN_LENGTH_MIN || token.length() > TOKEN_LENGTH_MAX) {
      return Optional.empty();
    }
    return Optional.ofNullable(byHashHex.get(sha256Hex(token)));
  }

  /** The hash to put in config for a token; also used by {@code NodeMain hash-key}. */
  public static String sha256Hex(String token) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
