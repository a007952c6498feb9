package io.clearhouse.scenario.model;

import java.util.Map;

/**
 * The population a scenario sets up before the replay.
 *
 * @param accounts default number of accounts (the runner may override it)
 * @param marketMakerShare share of the opening notional the market makers hold, in [0,1]
 * @param marketMakers number of large market makers among the accounts
 * @param collateralPerAccountMinor USD value (minor units) of a trader's collateral
 * @param collateralMix asset ("USD", "BTC", "ETH") to share of that value; the shares sum to 1
 * @param leverageMin lowest leverage (position notional / collateral) of a trader
 * @param leverageMax highest leverage of a trader (the default IM of 2% caps it at 50)
 * @param vaultCapitalMinor USD capital deposited into the backstop vaults, in total
 * @param vaultCommitShare share of the vault capital committed to the backstop, in [0,1]
 * @param fundMinor insurance fund top-up (USD minor)
 * @param treasuryMinor treasury tranche top-up (USD minor)
 */
public record PopulationSpec(
    int accounts,
    double marketMakerShare,
    int marketMakers,
    long collateralPerAccountMinor,
    Map<String, Double> collateralMix,
    double leverageMin,
    double leverageMax,
    long vaultCapitalMinor,
    double vaultCommitShare,
    long fundMinor,
    long treasuryMinor) {

  public PopulationSpec {
    collateralMix = Map.copyOf(collateralMix);
  }
}
