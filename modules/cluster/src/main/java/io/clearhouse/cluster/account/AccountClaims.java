package io.clearhouse.cluster.account;

import io.clearhouse.cluster.account.Account.ChargeLoss;
import io.clearhouse.cluster.account.Account.ClaimStatus;
import io.clearhouse.cluster.account.Account.CollateralSeized;
import io.clearhouse.cluster.account.Account.CoverShortfall;
import io.clearhouse.cluster.account.Account.Deleverage;
import io.clearhouse.cluster.account.Account.Deleveraged;
import io.clearhouse.cluster.account.Account.Event;
import io.clearhouse.cluster.account.Account.Leg;
import io.clearhouse.cluster.account.Account.LegEffect;
import io.clearhouse.cluster.account.Account.Liquidated;
import io.clearhouse.cluster.account.Account.LossCharged;
import io.clearhouse.cluster.account.Account.OpenClaim;
import io.clearhouse.cluster.account.Account.ShortfallCovered;
import io.clearhouse.cluster.account.Account.ShortfallFiled;
import io.clearhouse.cluster.account.Account.State;
import io.clearhouse.cluster.backstop.ClaimProtocol.ClaimReceipt;
import io.clearhouse.cluster.backstop.ClaimProtocol.Settled;
import io.clearhouse.cluster.backstop.ClaimProtocol.ShortfallClaim;
import io.clearhouse.cluster.instruments.InstrumentCatalog;
import io.clearhouse.cluster.instruments.InstrumentSpec;
import io.clearhouse.cluster.transfer.Transfer;
import io.clearhouse.domain.collateral.AssetHaircut;
import io.clearhouse.domain.collateral.CollateralParameters;
import io.clearhouse.domain.collateral.CollateralValuation;
import io.clearhouse.domain.ids.Ids;
import io.clearhouse.domain.money.Asset;
import io.clearhouse.domain.money.MinorUnits;
import io.clearhouse.domain.position.PositionState;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.slf4j.Logger;

/**
 * The account's side of the default waterfall (issue 6): filing a shortfall claim when a
 * liquidation leaves it bankrupt, and the backstop's requests to it (cover a claim, deleverage a
 * winning position, charge a socialized loss), each decided here as at most one event.
 *
 * <p>Idempotency: the account remembers the {@link Settled} of its latest requests (the request-id
 * window of {@link AccountSettings#dedupWindowRequests()}, in its state so it survives recovery and
 * snapshots); a repeat gets that answer with {@code duplicate} set and persists nothing. Requests
 * refused without an event (malformed, unknown claim, no position) are not remembered: nothing was
 * done, and a repeat is decided again.
 */
final class AccountClaims {
  /** Refusals of a {@link Settled}, for the audit. */
  static final String NO_POSITION = "NO_POSITION";

  static final String PARTIAL = "PARTIAL";
  static final String WRONG_DIRECTION = "WRONG_DIRECTION";
  static final String UNKNOWN_CLAIM = "UNKNOWN_CLAIM";
  static final String UNKNOWN_INSTRUMENT = "UNKNOWN_INSTRUMENT";
  static final String INVALID_REQUEST = "INVALID_REQUEST";
  static final String OVERFLOW = "OVERFLOW";

  private AccountClaims() {}

  /** What a backstop request does: an event to persist (then {@code reply}), or only a reply. */
  record Decision(Event event, Settled reply) {
    static Decision refuse(String requestId, String refusal) {
      return new Decision(null, new Settled(requestId, 0, 0, false, refusal));
    }
  }

  /** The answer to a repeated request: the first answer, marked as a duplicate. */
  static Settled duplicate(Settled first) {
    return new Settled(first.requestId(), first.amountMinor(), first.lots(), true, first.refusal());
  }

  /**
   * What the command handler read about the account's collateral when the step was decided: index
   * prices (USD minor units per whole unit, as the valuation used them), the collateral haircuts in
   * force, and each asset's scale. Taken outside the event handler and recorded in the event, so
   * replay never reads the market or the parameters.
   */
  record CollateralTerms(
      Map<String, Long> indexPricesMinor,
      CollateralParameters parameters,
      Function<String, Asset> assets) {
    CollateralTerms {
      indexPricesMinor = Map.copyOf(indexPricesMinor);
    }
  }

  /**
   * The claim a liquidation step files, if {@code after} (the state with the step applied) is
   * bankrupt or short of USD: no positions and a negative settlement balance. Non-USD collateral
   * the account still holds is seized into the insurance fund with the claim (DOMAIN.md waterfall
   * step 1), as far as its value covers the USD debit; the claim stays the whole debit, and the
   * fund pays the collateral's agreed value into it first.
   */
  static Optional<ShortfallFiled> filing(
      String accountId, State after, Liquidated step, CollateralTerms terms, Logger log) {
    long cash = after.balanceMinor(Account.SETTLEMENT_ASSET);
    if (!after.positions().isEmpty() || cash >= 0 || step.closes().isEmpty()) {
      return Optional.empty();
    }
    long shortfall = Math.negateExact(cash);
    List<CollateralSeized> seized = seize(accountId, after, shortfall, terms, log);
    TreeMap<String, Long> amounts = new TreeMap<>();
    long value = 0;
    for (CollateralSeized s : seized) {
      amounts.put(s.asset(), s.amountMinor());
      value = Math.addExact(value, s.valueMinor());
    }
    LegEffect largest = step.closes().get(0);
    for (LegEffect close : step.closes()) {
      if (Math.abs(close.leg().notionalMinor()) > Math.abs(largest.leg().notionalMinor())) {
        largest = close;
      }
    }
    ShortfallClaim claim =
        new ShortfallClaim(
            "claim-" + accountId + "-" + step.liquidationSeq(),
            accountId,
            shortfall,
            largest.leg().instrumentId(),
            largest.before().lots(),
            largest.leg().priceMinor(),
            step.atMs(),
            amounts,
            value);
    return Optional.of(new ShortfallFiled(claim, seized, step.atMs()));
  }

  /**
   * The collateral seized to cover {@code debitMinor}: assets by lowest effective haircut, then
   * name; of each, the least whole minor units whose value covers what is left ({@code ceil(left ×
   * 10^scale / v)} with {@code v = index × (1 − haircut)}), at most the holding, valued at {@code
   * floor(amount × v / 10^scale)}: both roundings go against the account (DOMAIN.md). An asset
   * without a valid price, haircut or scale is not seized (logged).
   */
  static List<CollateralSeized> seize(
      String accountId, State after, long debitMinor, CollateralTerms terms, Logger log) {
    assert debitMinor > 0 : "a debit to cover";
    List<CollateralSeized> candidates = new ArrayList<>();
    for (Map.Entry<String, Long> balance : after.balancesMinor().entrySet()) {
      String symbol = balance.getKey();
      if (symbol.equals(Account.SETTLEMENT_ASSET) || balance.getValue() <= 0) {
        continue;
      }
      AssetHaircut haircut = terms.parameters().haircut(symbol);
      Long price = terms.indexPricesMinor().get(symbol);
      Asset asset = terms.assets().apply(symbol);
      if (haircut == null || price == null || price <= 0 || asset == null) {
        log.error(
            "account {} is short {} USD but its {} {} has no valid price or haircut: not seized",
            accountId,
            debitMinor,
            balance.getValue(),
            symbol);
        continue;
      }
      long effective =
          CollateralValuation.haircutPpm(haircut, price, terms.parameters().depegSlopePpm());
      if (effective < MinorUnits.PPM) {
        // A candidate carries the whole holding and no value yet; the loop below decides.
        candidates.add(new CollateralSeized(symbol, balance.getValue(), price, effective, 0));
      }
    }
    candidates.sort(
        Comparator.comparingLong(CollateralSeized::haircutPpm)
            .thenComparing(CollateralSeized::asset));
    List<CollateralSeized> seized = new ArrayList<>();
    long left = debitMinor;
    for (CollateralSeized held : candidates) {
      if (left == 0) {
        break;
      }
      Asset asset = terms.assets().apply(held.asset());
      long amount = Math.min(held.amountMinor(), unitsToCover(asset, left, held));
      long value =
          CollateralValuation.valueMinor(asset, amount, held.indexPriceMinor(), held.haircutPpm());
      seized.add(
          new CollateralSeized(
              held.asset(), amount, held.indexPriceMinor(), held.haircutPpm(), value));
      left = Math.max(0, left - value);
    }
    return seized;
  }

  /** ceil(left × 10^scale × 10^6 / (index × (10^6 − haircut))): the units whose value is left. */
  private static long unitsToCover(Asset asset, long leftMinor, CollateralSeized held) {
    BigInteger numerator =
        BigInteger.valueOf(leftMinor)
            .multiply(BigInteger.valueOf(MinorUnits.pow10(asset.scale())))
            .multiply(BigInteger.valueOf(MinorUnits.PPM));
    BigInteger perUnit =
        BigInteger.valueOf(held.indexPriceMinor())
            .multiply(BigInteger.valueOf(MinorUnits.PPM - held.haircutPpm()));
    BigInteger[] division = numerator.divideAndRemainder(perUnit);
    BigInteger units = division[1].signum() == 0 ? division[0] : division[0].add(BigInteger.ONE);
    // More than any holding can be: the holding caps it anyway.
    return units.min(BigInteger.valueOf(Long.MAX_VALUE)).longValueExact();
  }

  /** Files every claim the backstop has not acknowledged; returns how many. */
  static int fileUnreceived(State state, ClaimRouter router, ActorRef<ClaimReceipt> replyTo) {
    int filed = 0;
    for (OpenClaim open : state.openClaims().values()) {
      if (open.status() == ClaimStatus.FILED) {
        router.file(open.claim(), replyTo);
        filed++;
      }
    }
    return filed;
  }

  /** Credits an open claim's cover. */
  static Decision cover(State state, CoverShortfall c, long nowMs) {
    if (c.amountMinor() <= 0) {
      return Decision.refuse(c.claimId(), INVALID_REQUEST + ": amount must be positive");
    }
    if (!state.openClaims().containsKey(c.claimId())) {
      return Decision.refuse(c.claimId(), UNKNOWN_CLAIM);
    }
    long before = state.balanceMinor(Account.SETTLEMENT_ASSET);
    if (before > Long.MAX_VALUE - c.amountMinor()) {
      return Decision.refuse(c.claimId(), OVERFLOW);
    }
    long after = before + c.amountMinor();
    return new Decision(
        new ShortfallCovered(c.claimId(), c.amountMinor(), before, after, nowMs),
        new Settled(c.claimId(), c.amountMinor(), 0, false, ""));
  }

  /** Debits a socialized-loss haircut. */
  static Decision charge(State state, ChargeLoss c, long nowMs) {
    if (!Ids.isRequestId(c.requestId()) || c.amountMinor() <= 0) {
      return Decision.refuse(c.requestId(), INVALID_REQUEST + ": id or amount");
    }
    long before = state.balanceMinor(Account.SETTLEMENT_ASSET);
    if (before < Long.MIN_VALUE + c.amountMinor()) {
      return Decision.refuse(c.requestId(), OVERFLOW);
    }
    long after = before - c.amountMinor();
    return new Decision(
        new LossCharged(c.requestId(), c.amountMinor(), before, after, nowMs),
        new Settled(c.requestId(), c.amountMinor(), 0, false, ""));
  }

  /**
   * Closes part of a winning position at the mark against the vault and pays the claim its share of
   * {@code payMinor}: {@code floor(pay × closed / requested)}, rounded against the house.
   */
  static Decision deleverage(
      String accountId, State state, Deleverage c, InstrumentCatalog instruments, long nowMs) {
    Optional<String> invalid = invalid(c, instruments);
    if (invalid.isPresent()) {
      return Decision.refuse(c.closeId(), invalid.get());
    }
    InstrumentSpec spec = instruments.find(c.instrumentId()).orElseThrow();
    PositionState before = state.position(c.instrumentId());
    if (before.isFlat()) {
      return Decision.refuse(c.closeId(), NO_POSITION);
    }
    if (Long.signum(before.lots()) == Long.signum(c.qtyLots())) {
      return Decision.refuse(c.closeId(), WRONG_DIRECTION);
    }
    long requested = Math.abs(c.qtyLots());
    long lots = Math.min(requested, Math.abs(before.lots()));
    long qty = Long.signum(c.qtyLots()) * lots;
    try {
      long notional = spec.notionalMinor(qty, c.priceMinor());
      Leg leg = new Leg("adl-" + c.closeId(), spec.id(), qty, c.priceMinor(), notional, 0);
      LegEffect close = AccountLiquidation.close(spec, before, leg);
      long paid = MinorUnits.mulDiv(c.payMinor(), lots, requested, RoundingMode.FLOOR);
      long cashBefore = state.balanceMinor(Account.SETTLEMENT_ASSET);
      long cashAfter = Math.subtractExact(Math.addExact(cashBefore, close.cashDeltaMinor()), paid);
      long seq = state.deleverages() + 1;
      Transfer transfer =
          AccountLiquidation.toVault(
              adlSource(accountId),
              seq,
              c.vaultId(),
              List.of(AccountLiquidation.taken(close, spec.isPerpetual())),
              0);
      String refusal = lots < requested ? PARTIAL : "";
      Deleveraged event =
          new Deleveraged(
              c.closeId(),
              seq,
              requested,
              close,
              paid,
              cashBefore,
              cashAfter,
              transfer,
              refusal,
              nowMs);
      return new Decision(event, new Settled(c.closeId(), paid, lots, false, refusal));
    } catch (ArithmeticException tooLarge) {
      return Decision.refuse(c.closeId(), OVERFLOW);
    }
  }

  /**
   * The sender id of deleverage transfers. Not the liquidation's {@code account:id}: a vault
   * applies each sender's transfers by a watermark on its sequence, and deleverages count on their
   * own.
   */
  static String adlSource(String accountId) {
    return "account:" + accountId + ":adl";
  }

  private static Optional<String> invalid(Deleverage c, InstrumentCatalog instruments) {
    if (!Ids.isRequestId(c.closeId()) || !Ids.isEntityId(c.vaultId())) {
      return Optional.of(INVALID_REQUEST + ": malformed closeId or vaultId");
    }
    if (instruments.find(c.instrumentId()).isEmpty()) {
      return Optional.of(UNKNOWN_INSTRUMENT);
    }
    boolean badQty = c.qtyLots() == 0 || c.qtyLots() == Long.MIN_VALUE;
    if (badQty || c.priceMinor() <= 0 || c.payMinor() < 0) {
      return Optional.of(INVALID_REQUEST + ": qty non-zero, price > 0, pay >= 0");
    }
    return Optional.empty();
  }
}
