package io.clearhouse.cluster.instruments;

import com.typesafe.config.Config;
import io.clearhouse.domain.instrument.EuropeanOption;
import io.clearhouse.domain.instrument.Instrument;
import io.clearhouse.domain.instrument.LinearPerpetual;
import io.clearhouse.domain.instrument.OptionType;
import io.clearhouse.domain.instrument.Underlying;
import io.clearhouse.domain.money.Asset;
import io.clearhouse.domain.money.Price;
import java.time.Instant;
import java.util.Collections;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The instruments this deployment clears, from {@code clearhouse.instruments}:
 *
 * <pre>
 * BTC-PERP { kind = perpetual, underlying = BTC, lot-size = "0.001", tick = "0.01",
 *            venues = [venue-a, venue-b] }
 * BTC-27MAR27-70000-C { kind = option, underlying = BTC, type = call, strike = "70000",
 *            expiry = "2027-03-26T08:00:00Z", lot-size = "0.01", tick = "0.1", venues = [venue-a] }
 * </pre>
 *
 * Underlyings take their scale from {@code clearhouse.assets}; prices are USD (scale 6).
 */
public final class InstrumentCatalog {
  private static final Asset USD = Price.QUOTE_ASSET;

  private final Map<String, InstrumentSpec> byId;

  public InstrumentCatalog(Map<String, InstrumentSpec> byId) {
    this.byId = Collections.unmodifiableMap(new TreeMap<>(byId));
  }

  public static InstrumentCatalog fromConfig(Config clearhouse) {
    Map<String, InstrumentSpec> specs = new TreeMap<>();
    if (!clearhouse.hasPath("instruments")) {
      return new InstrumentCatalog(specs);
    }
    Config instruments = clearhouse.getConfig("instruments");
    for (String id : instruments.root().keySet()) {
      specs.put(id, spec(id, instruments.getConfig(quoted(id)), clearhouse.getConfig("assets")));
    }
    return new InstrumentCatalog(specs);
  }

  private static String quoted(String key) {
    return "\"" + key + "\"";
  }

  private static InstrumentSpec spec(String id, Config c, Config assets) {
    String symbol = c.getString("underlying");
    Underlying underlying = new Underlying(symbol, assets.getConfig(symbol).getInt("scale"));
    long lotSizeMinor =
        new Asset(symbol, underlying.scale()).parsePositiveMinor(c.getString("lot-size"));
    long tickMinor = USD.parsePositiveMinor(c.getString("tick"));
    Instrument instrument =
        switch (c.getString("kind")) {
          case "perpetual" -> new LinearPerpetual(id, underlying, lotSizeMinor);
          case "option" ->
              new EuropeanOption(
                  id,
                  underlying,
                  lotSizeMinor,
                  OptionType.valueOf(c.getString("type").toUpperCase(Locale.ROOT)),
                  USD.parsePositiveMinor(c.getString("strike")),
                  Instant.parse(c.getString("expiry")).toEpochMilli());
          default -> throw new IllegalArgumentException(id + ": kind must be perpetual or option");
        };
    return new InstrumentSpec(instrument, tickMinor, new HashSet<>(c.getStringList("venues")));
  }

  public Optional<InstrumentSpec> find(String id) {
    return Optional.ofNullable(id == null ? null : byId.get(id));
  }

  public Map<String, InstrumentSpec> all() {
    return byId;
  }
}
