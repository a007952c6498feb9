package io.clearhouse.domain.stress;

import io.clearhouse.domain.breaker.BreakerLevel;
import io.clearhouse.domain.instrument.Instrument;
import io.clearhouse.domain.money.Asset;
import io.clearhouse.domain.params.RiskParameters;
import io.clearhouse.domain.position.PositionState;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Everything a stress test reads, as of one snapshot: the accounts' ledgers, the market, the
 * parameters in force, the backstop's resources and the breakers' current levels. A plain value, so
 * the evaluation is a pure function of it and members can replay it.
 *
 * @param nowMs the valuation instant (option time to expiry), taken by the caller
 * @param accounts every account's balances and positions
 * @param instruments instrument by id (null when unknown)
 * @param assets ledger asset by symbol (null when unknown)
 * @param markets the market of every underlying, by symbol
 * @param parameters the risk parameters in force
 * @param resources the insurance fund, the treasury tranche and the vaults' commitments
 * @param levels each underlying's breaker level now (absent: NORMAL)
 */
public record StressBook(
    long nowMs,
    List<AccountLedger> accounts,
    Function<String, Instrument> instruments,
    Function<String, Asset> assets,
    Map<String, UnderlyingPrices> markets,
    RiskParameters parameters,
    Resources resources,
    Map<String, BreakerLevel> levels) {

  public StressBook {
    accounts = List.copyOf(accounts);
    Objects.requireNonNull(instruments, "instruments");
    Objects.requireNonNull(assets, "assets");
    markets = new TreeMap<>(markets);
    Objects.requireNonNull(parameters, "parameters");
    Objects.requireNonNull(resources, "resources");
    levels = new TreeMap<>(levels);
  }

  /** The breaker level of an underlying now. */
  public BreakerLevel level(String underlying) {
    return levels.getOrDefault(underlying, BreakerLevel.NORMAL);
  }

  /**
   * One account's ledger as last reported: its own consistent state.
   *
   * @param balancesMinor balances by asset symbol (only USD may be negative)
   * @param positions positions by instrument id, with their exact cost basis
   */
  public record AccountLedger(
      String accountId, Map<String, Long> balancesMinor, Map<String, PositionState> positions) {
    public AccountLedger {
      Objects.requireNonNull(accountId, "accountId");
      balancesMinor = Map.copyOf(balancesMinor);
      positions = Map.copyOf(positions);
    }
  }

  /**
   * One underlying's market: perpetuals and options are valued at the mark, collateral and the
   * breaker's move trigger read the index.
   *
   * @param markMinor mark price, USD minor units per whole unit
   * @param indexMinor index price, USD minor units per whole unit
   * @param impliedVolatility annualized implied volatility
   * @param realizedVolatility annualized realized volatility (margin's dynamic multiplier)
   * @param openInterestNotionalMinor the house's open interest notional (margin's concentration)
   * @param atMs when the oracle published these prices
   */
  public record UnderlyingPrices(
      String underlying,
      long markMinor,
      long indexMinor,
      double impliedVolatility,
      double realizedVolatility,
      long openInterestNotionalMinor,
      long atMs) {
    public UnderlyingPrices {
      Objects.requireNonNull(underlying, "underlying");
    }
  }

  /**
   * The backstop's resources: what tranches 2-4 of the waterfall can pay.
   *
   * @param fundMinor the insurance fund's balance
   * @param treasuryMinor the treasury tranche
   * @param vaults every backstop vault's commitments
   */
  public record Resources(long fundMinor, long treasuryMinor, List<VaultResources> vaults) {
    public Resources {
      vaults = List.copyOf(vaults);
    }
  }

  /**
   * A backstop vault's capital as it last reported it.
   *
   * @param committedMinor commitment per underlying
   * @param usedMinor the part of the commitment in use per underlying (taken-over positions)
   * @param navMinor the vault's NAV: it never pays more than this, whatever it committed
   */
  public record VaultResources(
      String vaultId,
      Map<String, Long> committedMinor,
      Map<String, Long> usedMinor,
      long navMinor) {
    public VaultResources {
      Objects.requireNonNull(vaultId, "vaultId");
      committedMinor = new TreeMap<>(committedMinor);
      usedMinor = new TreeMap<>(usedMinor);
    }
  }
}
