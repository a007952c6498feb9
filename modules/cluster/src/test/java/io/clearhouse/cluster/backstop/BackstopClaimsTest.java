package io.clearhouse.cluster.backstop;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.clearhouse.cluster.backstop.BackstopFixture.FakePorts;
import io.clearhouse.cluster.backstop.BackstopFixture.Req;
import io.clearhouse.cluster.backstop.BackstopPorts.CandidatePool;
import io.clearhouse.cluster.backstop.ClaimProtocol.ClaimReceipt;
import io.clearhouse.cluster.backstop.ClaimProtocol.Settled;
import io.clearhouse.cluster.backstop.ClaimProtocol.ShortfallClaim;
import io.clearhouse.cluster.backstop.ClaimRecord.Phase;
import io.clearhouse.cluster.serialization.CborRoundTrip;
import io.clearhouse.cluster.vault.VaultStatus;
import io.clearhouse.domain.adl.AdlCandidate;
import io.clearhouse.domain.breaker.BreakerLevel;
import io.clearhouse.domain.error.ErrorCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The waterfall end to end against fake payers: every amount is computed here by hand from
 * DOMAIN.md's rules, independently of the allocator, and money is conserved after every test.
 */
class BackstopClaimsTest {
  private static final ActorTestKit testKit =
      ActorTestKit.create(EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));
  private static final long USD = 1_000_000L;
  // BTC-PERP: one lot is 0.001 BTC; marks in USD minor units per BTC.
  private static final long MARK = 50_000 * USD;
  private static int nextId = 0;

  private final PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());
  private PersistenceId persistenceId;
  private FakePorts fakes;
  private ActorRef<Backstop.Command> backstop;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void start() {
    persistenceId = PersistenceId.ofUniqueId("Backstop|claims-" + (nextId++));
    fakes = new FakePorts(testKit);
    backstop = spawn(BackstopFixture.settings());
  }

  /** Conservation: what came in is what the backstop holds plus what it delivered. */
  @AfterEach
  void moneyIsConserved() {
    Backstop.View view = view();
    long in = view.creditedMinor() + view.toppedUpMinor() + view.receivedMinor();
    assertThat(view.fundMinor() + view.treasuryMinor() + view.escrowMinor() + view.deliveredMinor())
        .isEqualTo(in);
  }

  private ActorRef<Backstop.Command> spawn(BackstopSettings settings) {
    return testKit.spawn(
        Backstop.create(
            settings,
            BackstopFixture.INSTRUMENTS,
            fakes.ports(balance -> {}),
            persistenceId,
            BackstopFixture.waterfall(),
            1));
  }

  // ---------------------------------------------------------------- the deep crash

  @Test
  void aDeepClaimTakesTheFundsShareTheTreasuryTheVaultsProRataThenAdlForTheRest() {
    // given a fund of 4,000, a treasury of 1,000, vaults committing 2,000 and 1,000 to BTC
    fund(4_000 * USD, 1_000 * USD);
    vaults(status("v1", 2_000 * USD, 10_000 * USD), status("v2", 1_000 * USD, 5_000 * USD));
    // and shorts that profit from the fall: b ranks first (PnL% 9.1% x leverage 5 beats 16.7% x
    // 1.5)
    fakes.pool.set(
        new CandidatePool(
            MARK,
            3,
            List.of(
                new AdlCandidate("a/BTC-PERP", "a", -3_000, 60_000 * USD, 100_000 * USD),
                new AdlCandidate("b/BTC-PERP", "b", -5_000, 55_000 * USD, 50_000 * USD))));
    // when a long of 10 BTC (10,000 lots) closed at 50,000 leaves its account owing 10,000
    file(claim("claim-bust-1", "bust", 10_000 * USD, 10_000));
    // then the fund pays 25% of 4,000, the treasury 1,000, the vaults 3,000 pro rata (2:1)
    Map<String, Req> draws = expectRequests(2);
    assertThat(draws.get("v1").amountMinor()).isEqualTo(2_000 * USD);
    assertThat(draws.get("v2").amountMinor()).isEqualTo(1_000 * USD);
    draws.values().forEach(d -> d.answer(d.amountMinor()));
    // and ADL covers the last 5,000: the bankruptcy price is 51,000 (10,000 over 10 BTC), so each
    // lot closed pays 1 USD, and b alone closes 5,000 lots
    Req close = fakes.requests.receiveMessage();
    assertThat(close.kind()).isEqualTo("deleverage");
    assertThat(close.target()).isEqualTo("b");
    assertThat(close.qtyLots()).isEqualTo(5_000);
    assertThat(close.priceMinor()).isEqualTo(MARK);
    assertThat(close.amountMinor()).isEqualTo(5_000 * USD);
    close.answer(5_000 * USD, 5_000);
    // and the account gets its 10,000 back
    Req cover = fakes.requests.receiveMessage();
    assertThat(cover.kind()).isEqualTo("cover");
    assertThat(cover.amountMinor()).isEqualTo(10_000 * USD);
    cover.answer(10_000 * USD);
    releaseHolds(2);
    ClaimRecord claim = claim("claim-bust-1");
    assertThat(claim.phase()).isEqualTo(Phase.CLOSED);
    assertThat(claim.fundMinor()).isEqualTo(1_000 * USD);
    assertThat(claim.treasuryMinor()).isEqualTo(1_000 * USD);
    assertThat(claim.vaultsPaidMinor()).isEqualTo(3_000 * USD);
    assertThat(claim.adlMinor()).isEqualTo(5_000 * USD);
    assertThat(claim.deliveredMinor()).isEqualTo(10_000 * USD);
    Backstop.View view = view();
    assertThat(view.fundMinor()).isEqualTo(3_000 * USD);
    assertThat(view.treasuryMinor()).isZero();
    assertThat(view.openClaims()).isEmpty();
    // and every event, the state's parts and the views survive CBOR
    List<Object> recorded = new ArrayList<>(journal.persistedInStorage(persistenceId.id()));
    recorded.add(view);
    recorded.add(getClaim("claim-bust-1"));
    CborRoundTrip.assertRoundTrips(testKit.system(), recorded);
  }

  @Test
  void aClaimFiledTwiceIsBookedOnceAndTheSecondReceiptSaysDuplicate() {
    fund(4_000 * USD, 0);
    ShortfallClaim claim = claim("claim-twice-1", "twice", 100 * USD, 10);
    assertThat(file(claim).duplicate()).isFalse();
    assertThat(file(claim).duplicate()).isTrue();
    // the fund's 25% (1,000) covers it: no vault, no ADL; one cover
    Req cover = fakes.requests.receiveMessage();
    assertThat(cover.kind()).isEqualTo("cover");
    cover.answer(100 * USD);
    cover.answer(100 * USD);
    awaitPhase("claim-twice-1", Phase.CLOSED);
    assertThat(view().claims()).isEqualTo(1);
    assertThat(view().deliveredMinor()).isEqualTo(100 * USD);
  }

  @Test
  void aRestartMidWaterfallResendsTheSameRequestsAndBooksEachAnswerOnce() {
    // given a claim whose draw on v1 was answered and on v2 was not when the node died
    fund(0, 0);
    vaults(status("v1", 300 * USD, 1_000 * USD), status("v2", 100 * USD, 1_000 * USD));
    file(claim("claim-crash-1", "crash", 400 * USD, 400));
    Map<String, Req> draws = expectRequests(2);
    draws.get("v1").answer(300 * USD);
    awaitCollected("claim-crash-1", 300 * USD);
    testKit.stop(backstop);
    // when the backstop recovers
    backstop = spawn(BackstopFixture.settings());
    // then it asks v2 again with the same id, and v1's late duplicate books nothing
    Req again = fakes.requests.receiveMessage();
    assertThat(again.id()).isEqualTo(draws.get("v2").id());
    draws.get("v1").answer(300 * USD);
    again.answer(100 * USD);
    Req cover = fakes.requests.receiveMessage();
    assertThat(cover.amountMinor()).isEqualTo(400 * USD);
    cover.answer(400 * USD);
    releaseHolds(2);
    ClaimRecord claim = claim("claim-crash-1");
    assertThat(claim.vaultsPaidMinor()).isEqualTo(400 * USD);
    assertThat(claim.collectedMinor()).isEqualTo(400 * USD);
  }

  @Test
  void afterARestartNoClaimIsAllocatedBeforeEveryVaultOnRecordReportedAgain() {
    // given a vault on record, and a restart (the vault's node died with the backstop's)
    fund(0, 0);
    vaults(status("v1", 300 * USD, 1_000 * USD));
    awaitAssert(() -> assertThat(view().vaults()).hasSize(1));
    testKit.stop(backstop);
    backstop = spawn(BackstopFixture.settings());
    // when a claim arrives before the vault reported again
    file(claim("claim-warm-1", "warm", 200 * USD, 10));
    // then it waits (no vault figures: allocating now would skip the vault tranche)
    fakes.requests.expectNoMessage(Duration.ofMillis(500));
    assertThat(claim("claim-warm-1").phase()).isEqualTo(Phase.FILED);
    // and is allocated, with the vault's draw, once the vault reports
    vaults(status("v1", 300 * USD, 1_000 * USD));
    Req draw = fakes.requests.receiveMessage();
    assertThat(draw.kind()).isEqualTo("draw");
    assertThat(draw.amountMinor()).isEqualTo(200 * USD);
    draw.answer(200 * USD);
    fakes.requests.receiveMessage().answer(200 * USD);
    releaseHolds(1);
    awaitPhase("claim-warm-1", Phase.CLOSED);
  }

  @Test
  void whenAdlRoundsRunOutTheRemainingWinnersPayProRataToTheirProfit() {
    // given one ADL round at most, and winners whose first close finds no position
    testKit.stop(backstop);
    backstop =
        spawn(
            BackstopFixture.settings(
                Duration.ofMinutes(10), Duration.ofMinutes(10), 100, 1_000_000, 1));
    fund(0, 0);
    fakes.pool.set(
        new CandidatePool(
            MARK,
            1,
            List.of(
                // profits at 50,000: x 1,000 lots x 10,000 = 10,000; y 3,000 lots x 10,000 = 30,000
                new AdlCandidate("x/BTC-PERP", "x", -1_000, 60_000 * USD, 100_000 * USD),
                new AdlCandidate("y/BTC-PERP", "y", -3_000, 60_000 * USD, 100_000 * USD))));
    file(claim("claim-social-1", "social", 400 * USD, 10_000));
    List<Req> closes = List.of(fakes.requests.receiveMessage(), fakes.requests.receiveMessage());
    closes.forEach(c -> c.replyTo().tell(new Settled(c.id(), 0, 0, false, "NO_POSITION")));
    // when the socialized loss is planned: 400 split 1:3
    Map<String, Req> losses = expectRequests(2);
    // then
    assertThat(losses.get("x").amountMinor()).isEqualTo(100 * USD);
    assertThat(losses.get("y").amountMinor()).isEqualTo(300 * USD);
    losses.values().forEach(l -> l.answer(l.amountMinor()));
    fakes.requests.receiveMessage().answer(400 * USD);
    awaitPhase("claim-social-1", Phase.CLOSED);
    assertThat(claim("claim-social-1").lossesPaidMinor()).isEqualTo(400 * USD);
  }

  // ---------------------------------------------------------------- emergency draws

  @Test
  void anUncoveredClaimTakesAFundDrawWithinItsCapAtOnce() {
    // given a claim of 900 that a fund of 1,000 covers only 250 of (its 25%), and no winner
    fakes.pool.set(new CandidatePool(MARK, 3, List.of()));
    fund(1_000 * USD, 0);
    file(claim("claim-open-1", "open", 900 * USD, 10));
    awaitPhase("claim-open-1", Phase.UNCOVERED);
    // when an operator draws 150 from the fund (its 25% share of 750 is 187.5)
    Backstop.Reply reply = requestDraw("d-1", "claim-open-1", EmergencyDraw.FUND, 150 * USD);
    // then it is paid at once, and a draw of the other 500 (above 25% of 600) waits for approval
    assertThat(((Backstop.Accepted) reply).status()).isEqualTo("PAID");
    Backstop.Reply over = requestDraw("d-2", "claim-open-1", EmergencyDraw.FUND, 500 * USD);
    assertThat(((Backstop.Accepted) over).status()).isEqualTo("PENDING_APPROVAL");
    Req propose = fakes.requests.receiveMessage();
    assertThat(propose.kind()).isEqualTo("propose");
    propose.proposals().tell(new Backstop.ProposalOpened("d-2", "prop-7"));
    awaitAssert(
        () ->
            assertThat(view().pendingDraws())
                .extracting(EmergencyDraw::proposalId)
                .containsExactly("prop-7"));
    assertThat(view().fundMinor()).isEqualTo(600 * USD);
    // when governance approves it (twice: the repeat changes nothing)
    TestProbe<Settled> governance = testKit.createTestProbe();
    backstop.tell(
        new Backstop.ApproveDraw("d-2", "prop-7", List.of("op-1", "op-2"), governance.getRef()));
    assertThat(governance.receiveMessage().duplicate()).isFalse();
    backstop.tell(
        new Backstop.ApproveDraw("d-2", "prop-7", List.of("op-1", "op-2"), governance.getRef()));
    assertThat(governance.receiveMessage().duplicate()).isTrue();
    // then the claim is whole and goes to its account
    Req cover = fakes.requests.receiveMessage();
    assertThat(cover.amountMinor()).isEqualTo(900 * USD);
    cover.answer(900 * USD);
    awaitPhase("claim-open-1", Phase.CLOSED);
    assertThat(claim("claim-open-1").emergencyMinor()).isEqualTo(650 * USD);
    assertThat(view().fundMinor()).isEqualTo(100 * USD);
  }

  @Test
  void aVaultDrawAboveItsCommitmentWaitsForApprovalThenDrawsOverCap() {
    fakes.pool.set(new CandidatePool(MARK, 3, List.of()));
    fund(0, 0);
    vaults(status("v9", 0, 10_000 * USD));
    file(claim("claim-v-1", "vbust", 1_000 * USD, 10));
    awaitPhase("claim-v-1", Phase.UNCOVERED);
    Backstop.Reply reply = requestDraw("dv-1", "claim-v-1", "v9", 1_000 * USD);
    assertThat(((Backstop.Accepted) reply).status()).isEqualTo("PENDING_APPROVAL");
    Req propose = fakes.requests.receiveMessage();
    // nothing moves before the approval
    fakes.requests.expectNoMessage(Duration.ofMillis(200));
    propose.proposals().tell(new Backstop.ProposalOpened("dv-1", "prop-9"));
    TestProbe<Settled> governance = testKit.createTestProbe();
    backstop.tell(
        new Backstop.ApproveDraw("dv-1", "prop-9", List.of("op-1", "op-3"), governance.getRef()));
    Req draw = fakes.requests.receiveMessage();
    assertThat(draw.kind()).isEqualTo("draw");
    assertThat(draw.overCap()).isTrue();
    draw.answer(1_000 * USD);
    List<Req> next = List.of(fakes.requests.receiveMessage(), fakes.requests.receiveMessage());
    next.forEach(r -> r.answer(r.kind().equals("cover") ? 1_000 * USD : 0));
    awaitPhase("claim-v-1", Phase.CLOSED);
  }

  @Test
  void badDrawsAndTopUpsAreRefusedWithStableCodesAndChangeNothing() {
    fund(100 * USD, 0);
    file(claim("claim-bad-1", "bad", 10 * USD, 10));
    fakes.requests.receiveMessage().answer(10 * USD);
    awaitPhase("claim-bad-1", Phase.CLOSED);
    long fundBefore = view().fundMinor();
    assertThat(code(requestDraw("x-1", "no-such", EmergencyDraw.FUND, 1)))
        .isEqualTo(ErrorCode.BACKSTOP_UNKNOWN_CLAIM);
    assertThat(code(requestDraw("x-2", "claim-bad-1", EmergencyDraw.FUND, 1)))
        .isEqualTo(ErrorCode.BACKSTOP_CLAIM_NOT_UNCOVERED);
    assertThat(code(requestDraw("bad id!", "claim-bad-1", EmergencyDraw.FUND, 1)))
        .isEqualTo(ErrorCode.MALFORMED_ID);
    assertThat(code(topUp("t-1", 0))).isEqualTo(ErrorCode.INVALID_AMOUNT);
    assertThat(code(topUp("t 2", 5))).isEqualTo(ErrorCode.MALFORMED_ID);
    assertThat(((Backstop.Accepted) topUp("t-3", 5)).duplicate()).isFalse();
    assertThat(((Backstop.Accepted) topUp("t-3", 5)).duplicate()).isTrue();
    assertThat(code(topUp("t-3", 6))).isEqualTo(ErrorCode.REQUEST_ID_CONFLICT);
    assertThat(view().fundMinor()).isEqualTo(fundBefore + 5);
  }

  @Test
  void repeatedClaimsOnAnUnderlyingAskTheSupervisorForReduceOnly() {
    fund(1_000_000 * USD, 0);
    for (int i = 1; i <= 3; i++) {
      file(claim("claim-rep-" + i, "rep" + i, USD, 1));
    }
    BackstopFixture.Escalation escalation = fakes.escalations.receiveMessage();
    assertThat(escalation.underlying()).isEqualTo("BTC");
    assertThat(escalation.level()).isEqualTo(BreakerLevel.REDUCE_ONLY);
    for (int i = 0; i < 3; i++) {
      Req cover = fakes.requests.receiveMessage();
      cover.answer(cover.amountMinor());
    }
    awaitPhase("claim-rep-3", Phase.CLOSED);
  }

  // ---------------------------------------------------------------- helpers

  private static ShortfallClaim claim(String id, String account, long shortfall, long lots) {
    return new ShortfallClaim(id, account, shortfall, "BTC-PERP", lots, MARK, 1);
  }

  private static VaultStatus status(String vaultId, long committed, long nav) {
    Map<String, Long> commitments = committed > 0 ? Map.of("BTC", committed) : Map.of();
    return new VaultStatus(vaultId, commitments, Map.of(), nav, nav, true, 0);
  }

  private void vaults(VaultStatus... statuses) {
    for (VaultStatus status : statuses) {
      backstop.tell(new Backstop.VaultStatusReport(status));
    }
  }

  private void fund(long fund, long treasury) {
    if (fund > 0) {
      topUp("fund-seed", fund, Backstop.ToppedUp.Tranche.INSURANCE_FUND);
    }
    if (treasury > 0) {
      topUp("treasury-seed", treasury, Backstop.ToppedUp.Tranche.TREASURY);
    }
  }

  private Backstop.Reply topUp(String requestId, long amount) {
    return topUp(requestId, amount, Backstop.ToppedUp.Tranche.INSURANCE_FUND);
  }

  private Backstop.Reply topUp(String requestId, long amount, Backstop.ToppedUp.Tranche tranche) {
    TestProbe<Backstop.Reply> replies = testKit.createTestProbe();
    backstop.tell(new Backstop.TopUp(requestId, tranche, amount, "op-1", replies.getRef()));
    return replies.receiveMessage();
  }

  private Backstop.Reply requestDraw(String drawId, String claimId, String source, long amount) {
    TestProbe<Backstop.Reply> replies = testKit.createTestProbe();
    backstop.tell(
        new Backstop.RequestDraw(drawId, claimId, source, amount, "op-1", replies.getRef()));
    return replies.receiveMessage();
  }

  private static ErrorCode code(Backstop.Reply reply) {
    assertThat(reply).isInstanceOf(Backstop.Rejected.class);
    return ((Backstop.Rejected) reply).code();
  }

  private ClaimReceipt file(ShortfallClaim claim) {
    TestProbe<ClaimReceipt> receipts = testKit.createTestProbe();
    backstop.tell(new Backstop.FileClaim(claim, receipts.getRef()));
    return receipts.receiveMessage();
  }

  /** The next {@code n} requests, by target. */
  private Map<String, Req> expectRequests(int n) {
    Map<String, Req> byTarget = new java.util.TreeMap<>();
    for (int i = 0; i < n; i++) {
      Req req = fakes.requests.receiveMessage();
      byTarget.put(req.target(), req);
    }
    return byTarget;
  }

  /** Answers the vaults' hold releases of a closed claim. */
  private void releaseHolds(int n) {
    for (int i = 0; i < n; i++) {
      Req release = fakes.requests.receiveMessage();
      assertThat(release.kind()).isEqualTo("release");
      release.answer(0);
    }
  }

  private Backstop.View view() {
    TestProbe<Backstop.View> views = testKit.createTestProbe();
    backstop.tell(new Backstop.Get(views.getRef()));
    return views.receiveMessage();
  }

  private Backstop.ClaimView getClaim(String claimId) {
    TestProbe<Backstop.ClaimView> views = testKit.createTestProbe();
    backstop.tell(new Backstop.GetClaim(claimId, views.getRef()));
    return views.receiveMessage();
  }

  private ClaimRecord claim(String claimId) {
    return getClaim(claimId).claim();
  }

  private void awaitPhase(String claimId, Phase phase) {
    TestProbe<Backstop.ClaimView> views = testKit.createTestProbe();
    views.awaitAssert(
        Duration.ofSeconds(5),
        () -> {
          assertThat(claim(claimId).phase()).isEqualTo(phase);
          return null;
        });
  }

  private static void awaitAssert(Runnable check) {
    TestProbe<Object> probe = testKit.createTestProbe();
    probe.awaitAssert(
        Duration.ofSeconds(5),
        () -> {
          check.run();
          return null;
        });
  }

  private void awaitCollected(String claimId, long collected) {
    TestProbe<Backstop.ClaimView> views = testKit.createTestProbe();
    views.awaitAssert(
        Duration.ofSeconds(5),
        () -> {
          assertThat(claim(claimId).collectedMinor()).isEqualTo(collected);
          return null;
        });
  }
}
