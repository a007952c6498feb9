package io.clearhouse.cluster.backstop;

import com.typesafe.config.ConfigFactory;
import io.clearhouse.cluster.backstop.BackstopPorts.CandidatePool;
import io.clearhouse.cluster.backstop.ClaimProtocol.Settled;
import io.clearhouse.cluster.instruments.InstrumentCatalog;
import io.clearhouse.domain.breaker.BreakerLevel;
import io.clearhouse.domain.waterfall.WaterfallParameters;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The backstop's test harness: settings with short timers, and ports that hand every request to a
 * probe as a {@link Req} so a test answers it (or not) like a vault or an account would.
 */
public final class BackstopFixture {
  public static final InstrumentCatalog INSTRUMENTS =
      InstrumentCatalog.fromConfig(ConfigFactory.load().getConfig("clearhouse"));

  private BackstopFixture() {}

  /** Settings with the report and retry timers given, no warm-up, and {@code adlRoundsMax}. */
  static BackstopSettings settings(
      Duration reportInterval, Duration retry, int snapshotEvery, int sourcesMax, int rounds) {
    return new BackstopSettings(
        reportInterval,
        snapshotEvery,
        2,
        sourcesMax,
        retry,
        1_000,
        Duration.ZERO,
        Duration.ofSeconds(10),
        Duration.ofSeconds(2),
        200,
        Duration.ofSeconds(3),
        rounds,
        Duration.ofMinutes(10),
        3,
        2_000,
        Duration.ofSeconds(5),
        "backstop-v");
  }

  /** Defaults: no interval timers within a test's time, 3 ADL rounds. */
  public static BackstopSettings settings() {
    return settings(Duration.ofMinutes(10), Duration.ofMinutes(10), 100, 1_000_000, 3);
  }

  public static WaterfallParameters waterfall() {
    return WaterfallParameters.defaults();
  }

  /**
   * One request the backstop sent.
   *
   * @param kind draw, release, cover, deleverage, loss or propose
   */
  public record Req(
      String kind,
      String target,
      String id,
      long amountMinor,
      long qtyLots,
      long priceMinor,
      boolean overCap,
      ActorRef<Settled> replyTo,
      ActorRef<Backstop.ProposalOpened> proposals) {

    void answer(long paid) {
      replyTo.tell(new Settled(id, paid, 0, false, ""));
    }

    void answer(long paid, long lots) {
      replyTo.tell(new Settled(id, paid, lots, false, ""));
    }
  }

  /** A fee credit the backstop sent a vault ({@code Vault.CreditFees}). */
  public record FeeCreditReq(
      String vaultId,
      String sourceId,
      long sequence,
      long amountMinor,
      ActorRef<io.clearhouse.cluster.vault.Vault.Reply> replyTo) {

    /** Answers as the vault would: {@code applied} false when at or below its watermark. */
    void acknowledge(boolean applied) {
      replyTo.tell(
          new io.clearhouse.cluster.vault.Vault.FeesAcknowledged(
              vaultId, sourceId, sequence, applied, sequence, 0));
    }
  }

  /** A stress escalation the backstop asked for. */
  record Escalation(String underlying, BreakerLevel level, String cause) {}

  /** Ports feeding probes; the candidate pool is whatever the test sets. */
  public static final class FakePorts {
    public final TestProbe<Req> requests;
    public final TestProbe<FeeCreditReq> feeCredits;
    final TestProbe<Escalation> escalations;
    public final AtomicReference<CandidatePool> pool =
        new AtomicReference<>(new CandidatePool(0, 0, List.of()));

    public FakePorts(ActorTestKit testKit) {
      requests = testKit.createTestProbe();
      feeCredits = testKit.createTestProbe();
      escalations = testKit.createTestProbe();
    }

    public BackstopPorts ports(LongConsumer fundListener) {
      ActorRef<Req> to = requests.getRef();
      return ports(
          fundListener,
          (drawId, summary, amountMinor, replyTo) ->
              to.tell(new Req("propose", "", drawId, amountMinor, 0, 0, true, null, replyTo)));
    }

    /** The same with a real proposer (governance). */
    public BackstopPorts ports(LongConsumer fundListener, BackstopPorts.DrawProposer proposer) {
      ActorRef<Req> to = requests.getRef();
      ActorRef<FeeCreditReq> fees = feeCredits.getRef();
      BackstopPorts.Payers payers =
          new BackstopPorts.Payers() {
            @Override
            public void draw(
                String vaultId,
                String drawId,
                String holdId,
                String underlying,
                long amountMinor,
                boolean overCap,
                ActorRef<Settled> replyTo) {
              to.tell(new Req("draw", vaultId, drawId, amountMinor, 0, 0, overCap, replyTo, null));
            }

            @Override
            public void release(String vaultId, String holdId, ActorRef<Settled> replyTo) {
              to.tell(new Req("release", vaultId, holdId, 0, 0, 0, false, replyTo, null));
            }

            @Override
            public void cover(
                String accountId, String claimId, long amountMinor, ActorRef<Settled> replyTo) {
              to.tell(
                  new Req("cover", accountId, claimId, amountMinor, 0, 0, false, replyTo, null));
            }

            @Override
            public void deleverage(
                String accountId,
                String closeId,
                String instrumentId,
                long qtyLots,
                long priceMinor,
                long payMinor,
                String vaultId,
                ActorRef<Settled> replyTo) {
              to.tell(
                  new Req(
                      "deleverage",
                      accountId,
                      closeId,
                      payMinor,
                      qtyLots,
                      priceMinor,
                      false,
                      replyTo,
                      null));
            }

            @Override
            public void chargeLoss(
                String accountId, String requestId, long amountMinor, ActorRef<Settled> replyTo) {
              to.tell(
                  new Req("loss", accountId, requestId, amountMinor, 0, 0, false, replyTo, null));
            }

            @Override
            public void creditFees(
                String vaultId,
                String sourceId,
                long sequence,
                long amountMinor,
                ActorRef<io.clearhouse.cluster.vault.Vault.Reply> replyTo) {
              fees.tell(new FeeCreditReq(vaultId, sourceId, sequence, amountMinor, replyTo));
            }
          };
      ActorRef<Escalation> stress = escalations.getRef();
      return new BackstopPorts(
          fundListener,
          payers,
          (instrumentId, side, limit) -> CompletableFuture.completedFuture(pool.get()),
          proposer,
          (underlying, level, cause) -> stress.tell(new Escalation(underlying, level, cause)));
    }
  }
}
