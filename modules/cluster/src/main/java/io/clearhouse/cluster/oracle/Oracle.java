package io.clearhouse.cluster.oracle;

import io.clearhouse.cluster.market.MarketTick;
import io.clearhouse.cluster.market.MarketTopics;
import io.clearhouse.cluster.market.ParametersBoard;
import io.clearhouse.cluster.serialization.CborSerializable;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.domain.error.Rejection;
import io.clearhouse.domain.oracle.EwmaVolatility;
import io.clearhouse.domain.oracle.OracleParameters;
import io.clearhouse.domain.params.RiskParameters;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.slf4j.Logger;

/**
 * The oracle of one underlying (entity id = its symbol, e.g. "BTC"): it holds each configured
 * source's latest quote, the posted implied volatility and fair price, and the EWMA estimator of
 * realized volatility, and publishes the underlying's {@link MarketTick} on {@link
 * MarketTopics#ticks()} after every accepted post and every {@link
 * OracleSettings#republishInterval()}.
 *
 * <p>Rules (DOMAIN.md "Oracle", computed by {@link OracleRules}): the index is the weighted median
 * of fresh sources; a fresh source further than D% from the median is flagged and left out; fewer
 * accepted sources than the quorum gives an invalid tick with prices 0. The mark is the fair price
 * clamped to the index band while the fair price is fresh, the index otherwise. The republish timer
 * recomputes freshness with the current time, so a source going stale is noticed without a post.
 *
 * <p>Parameters: staleness, deviation, quorum, mark band and the EWMA are those of the governance
 * version in force on this node's {@link ParametersBoard}, read by the command handler at each
 * post, read and republish, so a new version applies from the next one on. The event handler never
 * reads the board: a post records the index it computed and the EWMA parameters it was sampled
 * under ({@link VolParameters}), so replay rebuilds the same estimator whatever version is in force
 * today. Events written before versions were recorded replay under the start parameters ({@link
 * OracleSettings#parameters()}), which is what they were written with.
 *
 * <p>Realized volatility: each accepted post persists the index it produced; the event handler
 * folds a valid index into the EWMA at the event's time, so the estimator is rebuilt exactly on
 * recovery. Republishing persists nothing and so does not feed the estimator.
 *
 * <p>Tick sequence: {@code seq = epoch << 20 | n}, where {@code epoch} counts this entity's events
 * (it is the journal's sequence number) and {@code n} counts the publications made in that epoch.
 * An incarnation publishes only in an epoch it opened itself by persisting an event: on its first
 * publication it persists {@link Resumed} (and again when 2^20 publications used up an epoch), so a
 * tick's seq never repeats one a previous incarnation, perhaps on another node, may have used.
 */
public final class Oracle
    extends EventSourcedBehaviorWithEnforcedReplies<Oracle.Command, Oracle.Event, Oracle.State> {

  public static final EntityTypeKey<Command> TYPE_KEY =
      EntityTypeKey.create(Command.class, "Oracle");

  /** Bits of a tick's seq that count publications within one epoch. */
  static final int SEQ_PUBLICATION_BITS = 20;

  static final long PUBLICATIONS_PER_EPOCH_MAX = (1L << SEQ_PUBLICATION_BITS) - 1;

  private final OracleSettings settings;
  private final OracleSettings.Underlying sources;
  private final ParametersBoard parameters;
  private final ActorRef<Topic.Command<MarketTick>> ticks;
  private final LongSupplier clockMs;
  private final Logger log;

  /** The last version warned about (quorum above the sources, bounds widened); -1: none. */
  private long warnedVersion = -1;

  /** The epoch this incarnation opened last (-1: none yet); not state, never persisted. */
  private long ownedEpoch = -1;

  /** Publications made in {@link #ownedEpoch} after its first one. */
  private long publicationsInEpoch = 0;

  private Oracle(
      String underlying,
      OracleSettings settings,
      ParametersBoard parameters,
      ActorRef<Topic.Command<MarketTick>> ticks,
      LongSupplier clockMs,
      Logger log) {
    // Journal failures (Cassandra unreachable) restart the entity with backoff instead of killing
    // it.
    super(
        PersistenceId.of(TYPE_KEY.name(), underlying),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
    this.settings = settings;
    this.sources = settings.require(underlying);
    this.parameters = parameters;
    this.ticks = ticks;
    this.clockMs = clockMs;
    this.log = log;
  }

  /**
   * The oracle of {@code underlying} on the wall clock (persistence id "Oracle|underlying"), under
   * the node's parameters in force ({@code parameters}, read at every post, read and republish).
   */
  public static Behavior<Command> create(
      String underlying,
      OracleSettings settings,
      ParametersBoard parameters,
      ActorRef<Topic.Command<MarketTick>> ticks) {
    return create(underlying, settings, parameters, ticks, System::currentTimeMillis);
  }

  /**
   * The oracle of {@code underlying} under fixed parameters ({@link OracleSettings#parameters()} as
   * version 1), on {@code clockMs} (epoch millis), for tests and simulations that need to move
   * time; throws if the underlying is not configured.
   */
  public static Behavior<Command> create(
      String underlying,
      OracleSettings settings,
      ActorRef<Topic.Command<MarketTick>> ticks,
      LongSupplier clockMs) {
    return create(underlying, settings, fixedBoard(settings), ticks, clockMs);
  }

  /**
   * The oracle of {@code underlying} under the parameters in force on {@code parameters}, on {@code
   * clockMs}; throws if the underlying is not configured.
   */
  public static Behavior<Command> create(
      String underlying,
      OracleSettings settings,
      ParametersBoard parameters,
      ActorRef<Topic.Command<MarketTick>> ticks,
      LongSupplier clockMs) {
    settings.require(underlying);
    Objects.requireNonNull(parameters, "parameters");
    Objects.requireNonNull(ticks, "ticks");
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> {
                  timers.startTimerWithFixedDelay(new Republish(), settings.republishInterval());
                  return new Oracle(
                      underlying, settings, parameters, ticks, clockMs, context.getLog());
                }));
  }

  /** A board that holds the start parameters only: the defaults with the settings' oracle part. */
  static ParametersBoard fixedBoard(OracleSettings settings) {
    RiskParameters d = RiskParameters.defaults();
    return new ParametersBoard(
        new RiskParameters(
            d.version(),
            d.margin(),
            d.collateral(),
            d.liquidation(),
            d.waterfall(),
            d.breaker(),
            settings.parameters(),
            d.vault(),
            d.fees(),
            d.funding()));
  }

  // ---------------------------------------------------------------- commands

  /** Commands an oracle accepts. */
  public sealed interface Command extends CborSerializable permits PostQuotes, Get, Republish {}

  /**
   * One source's price.
   *
   * @param sourceId the source, one of the underlying's configured sources
   * @param priceMinor USD minor units per whole unit of the underlying
   * @param observedAtMs when the source observed it, epoch millis
   */
  public record Quote(String sourceId, long priceMinor, long observedAtMs)
      implements CborSerializable {
    public Quote {
      Objects.requireNonNull(sourceId, "sourceId");
    }
  }

  /**
   * Posts quotes (at most one per source), and optionally the implied volatility and the fair
   * price. A quote not newer than the one held for its source is ignored, so a retried post changes
   * nothing.
   *
   * @param impliedVolatility annualized, in (0, 5]; null keeps the one in force
   * @param fairPriceMinor the market's fair price for the mark (e.g. the book's impact mid); 0 for
   *     none in this post (the last one is used while it is fresh)
   */
  public record PostQuotes(
      List<Quote> quotes,
      Double impliedVolatility,
      long fairPriceMinor,
      ActorRef<PostReply> replyTo)
      implements Command {
    public PostQuotes {
      quotes = List.copyOf(quotes);
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /** Reads the oracle's reading at the current time, with every source's health. */
  public record Get(ActorRef<OracleView> replyTo) implements Command {
    public Get {
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /**
   * Recompute at the current time and publish a tick; sent by the oracle's own timer, and by {@link
   * OracleSharding} at start-up to wake every oracle. Harmless from anyone.
   */
  public record Republish() implements Command {}

  // ---------------------------------------------------------------- replies

  /** Replies to {@link PostQuotes}. */
  public sealed interface PostReply extends CborSerializable permits Posted, Rejected {}

  /**
   * The post was taken; the figures are the reading right after it.
   *
   * @param quotesAccepted quotes newer than the ones held, now in force
   * @param quotesIgnored quotes not newer than the ones held, left out
   */
  public record Posted(
      String underlying,
      int quotesAccepted,
      int quotesIgnored,
      boolean valid,
      long indexMinor,
      long markMinor,
      double impliedVolatility,
      int freshSources,
      int acceptedSources,
      long atMs)
      implements PostReply {}

  /** The post was refused and changed nothing. */
  public record Rejected(ErrorCode code, String message) implements PostReply {
    public Rejected {
      Objects.requireNonNull(code, "code");
      Objects.requireNonNull(message, "message");
    }

    static Rejected of(Rejection rejection) {
      return new Rejected(rejection.code(), rejection.message());
    }
  }

  // ---------------------------------------------------------------- events

  /** Events of an oracle; each opens a new epoch of tick sequence numbers. */
  public sealed interface Event extends CborSerializable permits QuotesPosted, Resumed {}

  /**
   * A post was taken at {@code atMs} (wall clock of the command handler).
   *
   * @param quotes the accepted quotes (each newer than the one held for its source)
   * @param impliedVolatility the implied volatility in force after the post
   * @param fairPriceMinor the posted fair price; 0 keeps the previous one
   * @param indexMinor the index right after the post; 0 when there was no quorum. A valid index is
   *     the realized-volatility estimator's sample at {@code atMs}
   * @param vol the parameters the sample is folded in with (the version in force at the post); null
   *     in events written before versions were recorded, which replay under the start ones
   */
  public record QuotesPosted(
      List<Quote> quotes,
      double impliedVolatility,
      long fairPriceMinor,
      long indexMinor,
      long atMs,
      VolParameters vol)
      implements Event {
    public QuotesPosted {
      quotes = List.copyOf(quotes);
    }

    /** A post recorded without its parameters (the shape written before versions). */
    public QuotesPosted(
        List<Quote> quotes,
        double impliedVolatility,
        long fairPriceMinor,
        long indexMinor,
        long atMs) {
      this(quotes, impliedVolatility, fairPriceMinor, indexMinor, atMs, null);
    }
  }

  /**
   * The realized-volatility parameters a post's sample was folded in with, and the governance
   * version they came from (the rest of that version's oracle parameters only shaped the index,
   * which the post records itself).
   */
  public record VolParameters(
      long parametersVersion, long volSampleIntervalMs, double ewmaLambda, int volGapIntervalsMax)
      implements CborSerializable {
    static VolParameters of(long version, OracleParameters p) {
      return new VolParameters(
          version, p.volSampleIntervalMs(), p.ewmaLambda(), p.volGapIntervalsMax());
    }

    /** {@code base} with these realized-volatility parameters. */
    OracleParameters over(OracleParameters base) {
      return OracleRules.withVol(base, volSampleIntervalMs, ewmaLambda, volGapIntervalsMax);
    }
  }

  /** An incarnation opened a new epoch of tick sequence numbers at {@code atMs}; nothing else. */
  public record Resumed(long atMs) implements Event {}

  // ---------------------------------------------------------------- state

  /**
   * The oracle's state, immutable (a snapshot is serialized asynchronously).
   *
   * @param quotes the latest quote per source that ever posted, by source id
   * @param impliedVolatility the implied volatility in force
   * @param fairPriceMinor the last posted fair price; 0 if none
   * @param fairPriceAtMs when it was posted
   * @param ewma the realized-volatility estimator
   * @param epoch how many events this oracle has persisted
   * @param ewmaIntervalMs the sampling interval {@code ewma}'s buckets and variance are in; 0 in
   *     snapshots written before versions were recorded (the start parameters' interval)
   */
  public record State(
      TreeMap<String, Quote> quotes,
      double impliedVolatility,
      long fairPriceMinor,
      long fairPriceAtMs,
      EwmaVolatility.State ewma,
      long epoch,
      long ewmaIntervalMs)
      implements CborSerializable {
    public State {
      Objects.requireNonNull(quotes, "quotes");
      Objects.requireNonNull(ewma, "ewma");
    }

    /** A state whose estimator is in the start parameters' interval. */
    public State(
        TreeMap<String, Quote> quotes,
        double impliedVolatility,
        long fairPriceMinor,
        long fairPriceAtMs,
        EwmaVolatility.State ewma,
        long epoch) {
      this(quotes, impliedVolatility, fairPriceMinor, fairPriceAtMs, ewma, epoch, 0);
    }
  }

  // ---------------------------------------------------------------- behavior

  @Override
  public State emptyState() {
    return new State(
        new TreeMap<>(), sources.defaultImpliedVolatility(), 0, 0, EwmaVolatility.empty(), 0, 0);
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(
        settings.snapshotEveryEvents(), settings.snapshotsKept());
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(PostQuotes.class, this::onPost)
        .onCommand(Get.class, (s, c) -> Effect().reply(c.replyTo(), read(s, clockMs.getAsLong())))
        .onCommand(Republish.class, (s, c) -> onRepublish(s))
        .build();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(QuotesPosted.class, this::applyPosted)
        .onEvent(
            Resumed.class,
            (s, e) ->
                new State(
                    s.quotes(),
                    s.impliedVolatility(),
                    s.fairPriceMinor(),
                    s.fairPriceAtMs(),
                    s.ewma(),
                    s.epoch() + 1,
                    s.ewmaIntervalMs()))
        .build();
  }

  /** Pure: the sample's parameters come from the event (or, for old events, the start ones). */
  private State applyPosted(State s, QuotesPosted e) {
    OracleParameters start = settings.parameters();
    OracleParameters used = e.vol() == null ? start : e.vol().over(start);
    long heldIntervalMs = volIntervalMs(s);
    EwmaVolatility.State ewma =
        OracleRules.sample(s.ewma(), heldIntervalMs, used, e.indexMinor(), e.atMs());
    long intervalAfter = ewma == s.ewma() ? s.ewmaIntervalMs() : used.volSampleIntervalMs();
    boolean fairPosted = e.fairPriceMinor() > 0;
    return new State(
        OracleRules.merged(s.quotes(), e.quotes()),
        e.impliedVolatility(),
        fairPosted ? e.fairPriceMinor() : s.fairPriceMinor(),
        fairPosted ? e.atMs() : s.fairPriceAtMs(),
        ewma,
        s.epoch() + 1,
        intervalAfter);
  }

  /** The sampling interval of {@code s}'s estimator (the start one in old snapshots). */
  private long volIntervalMs(State s) {
    return s.ewmaIntervalMs() > 0
        ? s.ewmaIntervalMs()
        : settings.parameters().volSampleIntervalMs();
  }

  /**
   * The oracle parameters in force on the board, fitted to this underlying's configuration; warns
   * once per version when the version's quorum exceeds the configured sources (no index can be
   * valid: the breaker halts the underlying) or its bounds had to be widened.
   */
  private ParametersBoard.Versioned inForce() {
    ParametersBoard.Versioned v = parameters.versioned();
    OracleParameters p = v.parameters().oracle();
    if (v.version() != warnedVersion) {
      warnedVersion = v.version();
      if (p.quorum() > sources.weights().size()) {
        log.warn(
            "oracle {}: quorum {} of parameters version {} exceeds its {} sources: no valid index",
            sources.symbol(),
            p.quorum(),
            v.version(),
            sources.weights().size());
      }
      if (OracleRules.fitted(sources, p) != p) {
        log.warn(
            "oracle {}: parameters version {} bounds fewer or lighter sources than configured;"
                + " the configured ones are kept",
            sources.symbol(),
            v.version());
      }
    }
    return v;
  }

  private ReplyEffect<Event, State> onPost(State state, PostQuotes c) {
    long nowMs = clockMs.getAsLong();
    ParametersBoard.Versioned v = inForce();
    OracleParameters params = OracleRules.fitted(sources, v.parameters().oracle());
    Optional<Rejection> invalid =
        OracleRules.validatePost(
            sources, params, c.quotes(), c.impliedVolatility(), c.fairPriceMinor(), nowMs);
    if (invalid.isPresent()) {
      return Effect().reply(c.replyTo(), Rejected.of(invalid.get()));
    }
    List<Quote> newer = OracleRules.newer(state.quotes(), c.quotes());
    int ignored = c.quotes().size() - newer.size();
    double volAfter =
        c.impliedVolatility() == null ? state.impliedVolatility() : c.impliedVolatility();
    boolean volChanged = volAfter != state.impliedVolatility();
    if (newer.isEmpty() && !volChanged && c.fairPriceMinor() == 0) {
      // A retry, or quotes older than the ones held: nothing to persist or publish.
      return Effect().reply(c.replyTo(), posted(read(state, nowMs), 0, ignored));
    }
    long indexMinor =
        OracleRules.indexMinor(sources, params, OracleRules.merged(state.quotes(), newer), nowMs);
    QuotesPosted event =
        new QuotesPosted(
            newer,
            volAfter,
            c.fairPriceMinor(),
            indexMinor,
            nowMs,
            VolParameters.of(v.version(), params));
    return Effect()
        .persist(event)
        .thenReply(c.replyTo(), after -> posted(publish(after, nowMs), newer.size(), ignored));
  }

  private ReplyEffect<Event, State> onRepublish(State state) {
    long nowMs = clockMs.getAsLong();
    if (state.epoch() == ownedEpoch && publicationsInEpoch < PUBLICATIONS_PER_EPOCH_MAX) {
      return Effect().none().thenRun(s -> publish(s, nowMs)).thenNoReply();
    }
    // The first publication of this incarnation (the recovered epoch may have been used by the
    // previous one), or this epoch's sequence numbers are used up: open a new epoch first.
    return Effect().persist(new Resumed(nowMs)).thenRun(s -> publish(s, nowMs)).thenNoReply();
  }

  /**
   * Publishes the reading of {@code s} at {@code nowMs} as a tick; called only in an epoch this
   * incarnation opened (right after persisting its event, or later in the same epoch).
   */
  private OracleView publish(State s, long nowMs) {
    if (s.epoch() != ownedEpoch) {
      if (s.epoch() < ownedEpoch) {
        throw new IllegalStateException("epoch went back: " + s.epoch() + " < " + ownedEpoch);
      }
      ownedEpoch = s.epoch();
      publicationsInEpoch = 0;
    } else {
      publicationsInEpoch++;
    }
    if (publicationsInEpoch > PUBLICATIONS_PER_EPOCH_MAX) {
      throw new IllegalStateException("epoch " + ownedEpoch + " has no sequence numbers left");
    }
    OracleView view = read(s, nowMs);
    long seq = (ownedEpoch << SEQ_PUBLICATION_BITS) | publicationsInEpoch;
    ticks.tell(Topic.publish(view.toTick(seq)));
    return view;
  }

  private OracleView read(State s, long nowMs) {
    ParametersBoard.Versioned v = inForce();
    OracleParameters params = OracleRules.fitted(sources, v.parameters().oracle());
    return OracleRules.read(sources, params, v.version(), s, volIntervalMs(s), nowMs);
  }

  private static Posted posted(OracleView v, int accepted, int ignored) {
    return new Posted(
        v.underlying(),
        accepted,
        ignored,
        v.valid(),
        v.indexMinor(),
        v.markMinor(),
        v.impliedVolatility(),
        v.freshSources(),
        v.acceptedSources(),
        v.atMs());
  }
}
