package io.clearhouse.domain.risk;

import io.clearhouse.domain.collateral.CollateralParameters;
import io.clearhouse.domain.instrument.EuropeanOption;
import io.clearhouse.domain.instrument.Instrument;
import io.clearhouse.domain.instrument.Underlying;
import io.clearhouse.domain.margin.MarginParameters;
import io.clearhouse.domain.margin.MarketSnapshot;
import io.clearhouse.domain.margin.UnderlyingMarket;
import io.clearhouse.domain.money.Asset;
import io.clearhouse.domain.money.MinorUnits;
import io.clearhouse.domain.money.Price;
import io.clearhouse.domain.position.PositionState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The risk engine's columnar index of the accounts hosted on one node: their balances and positions
 * in primitive arrays (no object per position), with each account's equity, IM and MM cached as
 * sums of per-underlying contributions, so that a tick on one underlying recomputes only that
 * underlying's rows and then compares equity with MM for the accounts it touched.
 *
 * <p>Layout: accounts live in int slots (reused through a free list); each underlying has a {@link
 * PositionColumns} (position rows and per-account "book" rows) and each collateral asset a {@link
 * CollateralColumns}. An account's equity is {@code collateral + Σ book values}, its MM and IM
 * {@code Σ book requirements}, exactly as {@link AccountRisk#view} computes them (the contract test
 * runs both on the same random inputs): perpetuals at mark floored per position, standard margin
 * tiered on |net perpetual quantity| with the dynamic and risk-mode multipliers. A book holding an
 * option is portfolio margined: it goes through a slow path (the domain calculator on that book);
 * such books are a minority.
 *
 * <p>What it does not repeat: {@link AccountRisk}'s rejections of out-of-limit inputs (position
 * count, account notional, far expiries). An account that cannot be valued (an unknown instrument
 * or asset, an underlying or collateral asset without a price yet, a rejected portfolio margin) is
 * "unvalued" and never reported below MM; the account entity, which decides, sees the rejection.
 * Collateral prices are the last ones given: a price that goes missing keeps its last value.
 *
 * <p>Not thread-safe: one actor owns it. {@link #revalue} allocates nothing per position or per
 * standard book (only a few objects per call); portfolio-margined books allocate in their slow
 * path.
 */
public final class PositionIndex {
  /** Receives each account found below MM by a revaluation, once per call. */
  @FunctionalInterface
  public interface BelowMaintenance {
    void accept(int slot, long equityMinor, long maintenanceMarginMinor);
  }

  /**
   * An account's cached risk picture.
   *
   * @param valued false when something of the account cannot be valued yet (then the numbers are
   *     partial and it is never reported)
   */
  public record AccountValue(
      String accountId,
      boolean valued,
      long equityMinor,
      long initialMarginMinor,
      long maintenanceMarginMinor) {
    /** Liquidatable: valued and equity below MM. */
    public boolean belowMaintenance() {
      return valued && equityMinor < maintenanceMarginMinor;
    }
  }

  private static final int INITIAL_SLOTS = 16;

  private final MarginParameters marginParameters;
  private final CollateralParameters collateralParameters;
  private final Function<String, Instrument> instrumentLookup;
  private final Function<String, Asset> assetLookup;
  private final PortfolioBooks portfolioBooks;

  private final Map<String, Integer> slotById = new HashMap<>();
  private String[] accountIds = new String[INITIAL_SLOTS];
  private long[] collateralMinor = new long[INITIAL_SLOTS];
  private long[] booksValueMinor = new long[INITIAL_SLOTS];
  private long[] maintenanceMinor = new long[INITIAL_SLOTS];
  private long[] initialMinor = new long[INITIAL_SLOTS];
  private int[] unvalued = new int[INITIAL_SLOTS];
  private int[] checkedEpoch = new int[INITIAL_SLOTS];
  private int[] freeSlots = new int[INITIAL_SLOTS];
  private int freeCount;
  private int slotsUsed;
  private int epoch;

  private final Map<String, Integer> instrumentIds = new HashMap<>();
  private Instrument[] instruments = new Instrument[8];
  private boolean[] instrumentIsOption = new boolean[8];
  private int instrumentCount;

  private final Map<String, PositionColumns> underlyings = new HashMap<>();
  private final List<PositionColumns> underlyingList = new ArrayList<>();
  private final Map<String, UnderlyingMarket> markets = new HashMap<>();
  private final Map<String, Long> marketNowMs = new HashMap<>();
  private final Map<String, Long> collateralPrices = new HashMap<>();
  private final Map<String, CollateralColumns> assets = new HashMap<>();
  private final List<CollateralColumns> assetList = new ArrayList<>();

  /**
   * @param instrumentLookup instrument by id, null when unknown
   * @param assetLookup ledger asset by symbol, null when unknown
   */
  public PositionIndex(
      MarginParameters marginParameters,
      CollateralParameters collateralParameters,
      Function<String, Instrument> instrumentLookup,
      Function<String, Asset> assetLookup) {
    this.marginParameters = Objects.requireNonNull(marginParameters, "marginParameters");
    this.collateralParameters = Objects.requireNonNull(collateralParameters, "collateral");
    this.instrumentLookup = Objects.requireNonNull(instrumentLookup, "instrumentLookup");
    this.assetLookup = Objects.requireNonNull(assetLookup, "assetLookup");
    this.portfolioBooks = new PortfolioBooks(marginParameters);
  }

  /**
   * Replaces what the index holds of an account with its current ledger and values it at the
   * markets last given to {@link #revalue}. Returns the account's slot.
   *
   * @param balancesMinor balances by asset symbol (only the quote asset may be negative)
   * @param positions positions by instrument id; flat entries are ignored
   */
  public int upsert(
      String accountId, Map<String, Long> balancesMinor, Map<String, PositionState> positions) {
    Objects.requireNonNull(accountId, "accountId");
    Integer existing = slotById.get(accountId);
    int slot = existing != null ? existing : allocate(accountId);
    if (existing != null) {
      clear(slot);
    }
    for (Map.Entry<String, Long> balance : balancesMinor.entrySet()) {
      addBalance(slot, balance.getKey(), balance.getValue());
    }
    List<PositionColumns> touched = new ArrayList<>(2);
    for (Map.Entry<String, PositionState> position : positions.entrySet()) {
      PositionColumns columns = addPosition(slot, position.getKey(), position.getValue());
      if (columns != null && !touched.contains(columns)) {
        touched.add(columns);
      }
    }
    for (PositionColumns columns : touched) {
      int book = columns.bookBySlot[slot];
      unvalued[slot]++;
      if (columns.market != null) {
        columns.rates.reset(columns.underlying.symbol(), columns.market, marginParameters);
        settleBook(columns, book, perpetualValueMinor(columns, book));
      }
    }
    assert slotById.get(accountId) == slot : "slot registered";
    return slot;
  }

  /** Forgets an account; returns whether it was indexed. */
  public boolean remove(String accountId) {
    Integer slot = slotById.remove(accountId);
    if (slot == null) {
      return false;
    }
    clear(slot);
    accountIds[slot] = null;
    freeSlots[freeCount++] = slot;
    slotsUsed--;
    return true;
  }

  /**
   * Takes a new market for {@code underlying} (and the index prices of collateral assets), revalues
   * that underlying's books and the holders of collateral whose price changed, and reports every
   * touched account now below MM, once. Returns the number of accounts reported.
   *
   * @param market must hold {@code underlying}; other underlyings in it are ignored
   * @param collateralPricesMinor index prices of collateral assets by symbol (may be partial)
   */
  public int revalue(
      String underlying,
      MarketSnapshot market,
      Map<String, Long> collateralPricesMinor,
      BelowMaintenance sink) {
    epoch++;
    List<CollateralColumns> repriced = reprice(collateralPricesMinor);
    int reported = 0;
    PositionColumns columns = underlyings.get(underlying);
    UnderlyingMarket underlyingMarket = market.market(underlying);
    if (underlyingMarket != null) {
      markets.put(underlying, underlyingMarket);
      marketNowMs.put(underlying, market.nowEpochMs());
    }
    if (columns != null && underlyingMarket != null) {
      columns.market = underlyingMarket;
      columns.marketNowMs = market.nowEpochMs();
      columns.rates.reset(underlying, underlyingMarket, marginParameters);
      revaluePerpetuals(columns);
      for (int book = 0; book < columns.books; book++) {
        settleBook(columns, book, columns.bookScratchMinor[book]);
        reported += check(columns.bookSlot[book], sink);
      }
    }
    for (CollateralColumns asset : repriced) {
      for (int row = 0; row < asset.holders; row++) {
        reported += check(asset.holderSlot[row], sink);
      }
    }
    return reported;
  }

  /** The hot loop: each book's Σ perpetual (value at mark − cost) into its scratch cell. */
  private void revaluePerpetuals(PositionColumns columns) {
    long[] scratch = columns.bookScratchMinor;
    Arrays.fill(scratch, 0, columns.books, 0L);
    int[] books = columns.positionBook;
    int[] instrument = columns.positionInstrument;
    long[] quantity = columns.positionQuantityMinor;
    long[] cost = columns.positionCostMinor;
    boolean[] option = instrumentIsOption;
    long mark = columns.market.priceMinor();
    int scale = columns.underlying.scale();
    int rows = columns.positions;
    for (int row = 0; row < rows; row++) {
      if (!option[instrument[row]]) {
        scratch[books[row]] += MinorUnits.mulPow10Floor(quantity[row], mark, scale) - cost[row];
      }
    }
  }

  /** Takes new collateral prices; the assets whose price changed are revalued and returned. */
  private List<CollateralColumns> reprice(Map<String, Long> pricesMinor) {
    List<CollateralColumns> repriced = List.of();
    collateralPrices.putAll(pricesMinor);
    for (CollateralColumns asset : assetList) {
      Long price = pricesMinor.get(asset.symbol);
      if (price == null || !asset.price(price)) {
        continue;
      }
      for (int row = 0; row < asset.holders; row++) {
        settleHolding(asset, row);
      }
      repriced = repriced.isEmpty() ? new ArrayList<>(2) : repriced;
      repriced.add(asset);
    }
    return repriced;
  }

  private int check(int slot, BelowMaintenance sink) {
    if (checkedEpoch[slot] == epoch) {
      return 0;
    }
    checkedEpoch[slot] = epoch;
    long equity = collateralMinor[slot] + booksValueMinor[slot];
    if (unvalued[slot] == 0 && equity < maintenanceMinor[slot]) {
      sink.accept(slot, equity, maintenanceMinor[slot]);
      return 1;
    }
    return 0;
  }

  /** Replaces a book's cached value and requirements, and moves the difference into its account. */
  private void settleBook(PositionColumns columns, int book, long perpetualValueMinor) {
    long value = perpetualValueMinor;
    long maintenance;
    long initial;
    if (columns.bookOptions[book] > 0) {
      if (!portfolioBooks.value(this, columns, book)) {
        unsettle(columns, book);
        return;
      }
      value += portfolioBooks.optionValueMinor;
      maintenance = portfolioBooks.maintenanceMinor;
      initial = portfolioBooks.initialMinor;
    } else {
      maintenance = columns.rates.maintenanceMinor(columns.bookNetPerpetualMinor[book]);
      initial = columns.rates.lastInitialMinor();
    }
    int slot = columns.bookSlot[book];
    if (columns.bookValued[book]) {
      booksValueMinor[slot] += value - columns.bookValueMinor[book];
      maintenanceMinor[slot] += maintenance - columns.bookMaintenanceMinor[book];
      initialMinor[slot] += initial - columns.bookInitialMinor[book];
    } else {
      booksValueMinor[slot] += value;
      maintenanceMinor[slot] += maintenance;
      initialMinor[slot] += initial;
      columns.bookValued[book] = true;
      unvalued[slot]--;
    }
    columns.bookValueMinor[book] = value;
    columns.bookMaintenanceMinor[book] = maintenance;
    columns.bookInitialMinor[book] = initial;
  }

  /** Takes a book's cached numbers out of its account: it cannot be valued now. */
  private void unsettle(PositionColumns columns, int book) {
    if (!columns.bookValued[book]) {
      return;
    }
    int slot = columns.bookSlot[book];
    booksValueMinor[slot] -= columns.bookValueMinor[book];
    maintenanceMinor[slot] -= columns.bookMaintenanceMinor[book];
    initialMinor[slot] -= columns.bookInitialMinor[book];
    columns.bookValued[book] = false;
    unvalued[slot]++;
  }

  private void settleHolding(CollateralColumns asset, int row) {
    int slot = asset.holderSlot[row];
    long amount = asset.holderAmountMinor[row];
    if (!asset.canValue(amount)) {
      return;
    }
    long value = asset.valueMinor(amount);
    if (asset.holderValued[row]) {
      collateralMinor[slot] += value - asset.holderValueMinor[row];
    } else {
      collateralMinor[slot] += value;
      asset.holderValued[row] = true;
      unvalued[slot]--;
    }
    asset.holderValueMinor[row] = value;
  }

  /** Σ perpetual (value at mark − cost) of one book, outside the hot loop. */
  private long perpetualValueMinor(PositionColumns columns, int book) {
    long mark = columns.market.priceMinor();
    int scale = columns.underlying.scale();
    long sum = 0;
    for (int row = columns.bookHead[book]; row >= 0; row = columns.positionNext[row]) {
      if (!instrumentIsOption[columns.positionInstrument[row]]) {
        long value = MinorUnits.mulPow10Floor(columns.positionQuantityMinor[row], mark, scale);
        sum = Math.addExact(sum, Math.subtractExact(value, columns.positionCostMinor[row]));
      }
    }
    return sum;
  }

  private int allocate(String accountId) {
    int slot;
    if (freeCount > 0) {
      slot = freeSlots[--freeCount];
    } else {
      slot = slotsUsed + freeCount;
      if (slot == accountIds.length) {
        growSlots(accountIds.length * 2);
      }
    }
    accountIds[slot] = accountId;
    slotById.put(accountId, slot);
    slotsUsed++;
    return slot;
  }

  private void growSlots(int capacity) {
    accountIds = Arrays.copyOf(accountIds, capacity);
    collateralMinor = Arrays.copyOf(collateralMinor, capacity);
    booksValueMinor = Arrays.copyOf(booksValueMinor, capacity);
    maintenanceMinor = Arrays.copyOf(maintenanceMinor, capacity);
    initialMinor = Arrays.copyOf(initialMinor, capacity);
    unvalued = Arrays.copyOf(unvalued, capacity);
    checkedEpoch = Arrays.copyOf(checkedEpoch, capacity);
    freeSlots = Arrays.copyOf(freeSlots, capacity);
    for (PositionColumns columns : underlyingList) {
      columns.ensureSlots(capacity);
    }
    for (CollateralColumns asset : assetList) {
      asset.ensureSlots(capacity);
    }
  }

  /** Removes every row of an account and zeroes its sums (the slot stays allocated). */
  private void clear(int slot) {
    for (PositionColumns columns : underlyingList) {
      int book = columns.bookBySlot[slot];
      if (book >= 0) {
        columns.removeBook(book);
      }
    }
    for (CollateralColumns asset : assetList) {
      int row = asset.holdingBySlot[slot];
      if (row >= 0) {
        asset.remove(row);
      }
    }
    collateralMinor[slot] = 0;
    booksValueMinor[slot] = 0;
    maintenanceMinor[slot] = 0;
    initialMinor[slot] = 0;
    unvalued[slot] = 0;
    checkedEpoch[slot] = 0;
  }

  private void addBalance(int slot, String symbol, long amountMinor) {
    if (amountMinor == 0) {
      return;
    }
    CollateralColumns asset = assets.get(symbol);
    if (asset == null) {
      asset =
          new CollateralColumns(
              symbol,
              assetLookup.apply(symbol),
              collateralParameters.haircut(symbol),
              symbol.equals(Price.QUOTE_ASSET.symbol()),
              collateralParameters.depegSlopePpm());
      asset.ensureSlots(accountIds.length);
      asset.price(collateralPrices.getOrDefault(symbol, 0L));
      assets.put(symbol, asset);
      assetList.add(asset);
    }
    if (amountMinor < 0 && !asset.quote) {
      return;
    }
    int row = asset.add(slot, amountMinor);
    unvalued[slot]++;
    settleHolding(asset, row);
  }

  /** Adds one position row; returns its underlying's columns, or null if nothing was added. */
  private PositionColumns addPosition(int slot, String instrumentId, PositionState state) {
    if (state.isFlat()) {
      return null;
    }
    int instrument = instrumentId(instrumentId);
    if (instrument < 0) {
      // Unknown instrument: the account stays unvalued until its next upsert.
      unvalued[slot]++;
      return null;
    }
    Instrument definition = instruments[instrument];
    PositionColumns columns = columns(definition.underlying());
    int book = columns.bookOf(slot);
    long quantity = Math.multiplyExact(state.lots(), definition.lotSizeMinor());
    columns.addPosition(
        book, instrument, quantity, state.costMinor(), instrumentIsOption[instrument]);
    return columns;
  }

  private int instrumentId(String id) {
    Integer known = instrumentIds.get(id);
    if (known != null) {
      return known;
    }
    Instrument instrument = instrumentLookup.apply(id);
    if (instrument == null) {
      return -1;
    }
    if (instrumentCount == instruments.length) {
      instruments = Arrays.copyOf(instruments, instrumentCount * 2);
      instrumentIsOption = Arrays.copyOf(instrumentIsOption, instrumentCount * 2);
    }
    int next = instrumentCount++;
    instruments[next] = instrument;
    instrumentIsOption[next] = instrument instanceof EuropeanOption;
    instrumentIds.put(id, next);
    return next;
  }

  private PositionColumns columns(Underlying underlying) {
    PositionColumns columns = underlyings.get(underlying.symbol());
    if (columns == null) {
      columns =
          new PositionColumns(
              underlyingList.size(),
              underlying,
              new StandardMarginRates(marginParameters, underlying.scale()));
      columns.ensureSlots(accountIds.length);
      // An underlying first held after its first tick starts from the market already seen.
      columns.market = markets.get(underlying.symbol());
      columns.marketNowMs = marketNowMs.getOrDefault(underlying.symbol(), 0L);
      underlyings.put(underlying.symbol(), columns);
      underlyingList.add(columns);
    }
    return columns;
  }

  /** The instrument of an interned id (for the slow path and the exposure). */
  Instrument instrument(int id) {
    return instruments[id];
  }

  /** Columns of an underlying, or null (for the exposure calculation). */
  PositionColumns columnsOf(String underlying) {
    return underlyings.get(underlying);
  }

  /** Columns of a collateral asset, or null (for the exposure calculation). */
  CollateralColumns collateralOf(String symbol) {
    return assets.get(symbol);
  }

  /** The last market given for an underlying, or null. */
  UnderlyingMarket market(String underlying) {
    return markets.get(underlying);
  }

  MarginParameters marginParameters() {
    return marginParameters;
  }

  /** The slot of an account, or -1 if it is not indexed. */
  public int slotOf(String accountId) {
    Integer slot = slotById.get(accountId);
    return slot == null ? -1 : slot;
  }

  /** The account id in a slot (null for a free slot). */
  public String accountId(int slot) {
    return accountIds[slot];
  }

  /** Equity of the account in a slot: collateral + Σ book values. */
  public long equityMinor(int slot) {
    return collateralMinor[slot] + booksValueMinor[slot];
  }

  public long maintenanceMarginMinor(int slot) {
    return maintenanceMinor[slot];
  }

  public long initialMarginMinor(int slot) {
    return initialMinor[slot];
  }

  /** Whether everything the account holds could be valued. */
  public boolean isValued(int slot) {
    return unvalued[slot] == 0;
  }

  /** The cached picture of an account, or null if it is not indexed. */
  public AccountValue value(String accountId) {
    int slot = slotOf(accountId);
    if (slot < 0) {
      return null;
    }
    return new AccountValue(
        accountId, isValued(slot), equityMinor(slot), initialMinor[slot], maintenanceMinor[slot]);
  }

  /** Gross notional of the account's positions on an underlying at its last mark (0 if none). */
  public long grossNotionalMinor(int slot, String underlying) {
    PositionColumns columns = underlyings.get(underlying);
    if (columns == null || columns.market == null || columns.bookBySlot[slot] < 0) {
      return 0;
    }
    long sum = 0;
    int book = columns.bookBySlot[slot];
    for (int row = columns.bookHead[book]; row >= 0; row = columns.positionNext[row]) {
      long quantity = Math.abs(columns.positionQuantityMinor[row]);
      sum =
          Math.addExact(
              sum,
              MinorUnits.mulPow10Ceil(
                  quantity, columns.market.priceMinor(), columns.underlying.scale()));
    }
    return sum;
  }

  /** The underlyings on which the account holds positions. */
  public List<String> underlyingsOf(int slot) {
    List<String> symbols = new ArrayList<>(2);
    for (PositionColumns columns : underlyingList) {
      if (columns.bookBySlot[slot] >= 0) {
        symbols.add(columns.underlying.symbol());
      }
    }
    return symbols;
  }

  /** Every underlying the index has seen a position on. */
  public List<String> underlyings() {
    List<String> symbols = new ArrayList<>(underlyingList.size());
    for (PositionColumns columns : underlyingList) {
      symbols.add(columns.underlying.symbol());
    }
    return symbols;
  }

  /** Indexed accounts. */
  public int accounts() {
    return slotsUsed;
  }

  /** Indexed positions over all underlyings. */
  public int positions() {
    int sum = 0;
    for (PositionColumns columns : underlyingList) {
      sum += columns.positions;
    }
    return sum;
  }

  /** Positions on one underlying. */
  public int positions(String underlying) {
    PositionColumns columns = underlyings.get(underlying);
    return columns == null ? 0 : columns.positions;
  }

  /** The node's totals on one underlying; see {@link IndexExposure}. */
  public IndexExposure exposure(String underlying) {
    return IndexExposure.of(this, underlying);
  }
}
