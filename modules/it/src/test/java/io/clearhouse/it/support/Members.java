package io.clearhouse.it.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.clearhouse.it.support.ApiClient.Answer;
import java.math.BigDecimal;
import java.time.Duration;

/** Members' and LPs' money paid in through the public API, as the integration tests set it up. */
public final class Members {
  /** The development trader key bound to the "load-*" accounts. */
  public static final String TRADER_KEY = "dev-trader-key-load-000000001";

  public static final String LP_KEY = "dev-lp-key-0000000000000001";
  public static final String OPERATOR_KEY = "dev-operator-key-0000000000001";
  private static final Duration WITHIN = Duration.ofSeconds(60);

  private Members() {}

  /** Deposits USD collateral into {@code account} (request id "dep-1"). */
  public static void deposit(ApiClient client, String account, long amountMinor) throws Exception {
    String body =
        "{\"requestId\":\"dep-1\",\"asset\":\"USD\",\"amount\":\"" + usd(amountMinor) + "\"}";
    Answer answer =
        client.send("POST", "/v1/accounts/" + account + "/deposits", TRADER_KEY, body, WITHIN);
    assertThat(answer.status()).as(answer.toString()).isIn(200, 201);
  }

  /** An LP funds {@code vaultId} with {@code capitalMinor} and commits part of it. */
  public static void fundVault(
      ApiClient client,
      String vaultId,
      String lpId,
      long capitalMinor,
      String underlying,
      long commitMinor)
      throws Exception {
    String deposit =
        "{\"requestId\":\"lp-1\",\"lpId\":\""
            + lpId
            + "\",\"amount\":\""
            + usd(capitalMinor)
            + "\"}";
    Answer paid =
        client.send("POST", "/v1/vaults/" + vaultId + "/deposits", LP_KEY, deposit, WITHIN);
    assertThat(paid.status()).as(paid.toString()).isIn(200, 201);
    String commit =
        "{\"requestId\":\"c-1\",\"underlying\":\""
            + underlying
            + "\",\"amount\":\""
            + usd(commitMinor)
            + "\"}";
    Answer committed =
        client.send("POST", "/v1/vaults/" + vaultId + "/commitments", OPERATOR_KEY, commit, WITHIN);
    assertThat(committed.status()).as(committed.toString()).isIn(200, 201);
  }

  /**
   * The operator commits {@code commitMinor} of {@code vaultId}'s capital to {@code underlying}
   * (request id "c-" + underlying): the open interest on it is capped at a multiple of that.
   */
  public static void commit(ApiClient client, String vaultId, String underlying, long commitMinor)
      throws Exception {
    String commit =
        "{\"requestId\":\"c-"
            + underlying
            + "\",\"underlying\":\""
            + underlying
            + "\",\"amount\":\""
            + usd(commitMinor)
            + "\"}";
    Answer committed =
        client.send("POST", "/v1/vaults/" + vaultId + "/commitments", OPERATOR_KEY, commit, WITHIN);
    assertThat(committed.status()).as(committed.toString()).isIn(200, 201);
  }

  /** USD minor units as the API's decimal string. */
  public static String usd(long minor) {
    return BigDecimal.valueOf(minor, 6).toPlainString();
  }
}
