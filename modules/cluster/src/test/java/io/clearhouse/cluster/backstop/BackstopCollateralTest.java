package io.clearhouse.cluster.backstop;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import io.clearhouse.cluster.backstop.BackstopFixture.FakePorts;
import io.clearhouse.cluster.backstop.BackstopFixture.Req;
import io.clearhouse.cluster.backstop.ClaimProtocol.ClaimReceipt;
import io.clearhouse.cluster.backstop.ClaimProtocol.ShortfallClaim;
import io.clearhouse.cluster.backstop.ClaimRecord.Phase;
import io.clearhouse.cluster.serialization.CborRoundTrip;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Waterfall step 1 at the backstop: the collateral a bankrupt account hands over with its claim
 * joins the insurance fund's assets, and the fund pays its agreed value in USD into the claim first
 * (COLLATERAL), outside its 25% per-claim share; the rest goes down the waterfall as before.
 * Amounts worked out by hand; money is conserved per asset after every test.
 */
class BackstopCollateralTest {
  private static final ActorTestKit testKit =
      ActorTestKit.create(EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));
  private static final long USD = 1_000_000L;
  private static final long MARK = 50_000 * USD;
  private static int nextId = 0;

  private final PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());
  private PersistenceId persistenceId;
  private FakePorts fakes;
  private ActorRef<Backstop.Command> backstop;
  private final Map<String, Long> seizedMinor = new TreeMap<>();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void start() {
    persistenceId = PersistenceId.ofUniqueId("Backstop|collateral-" + (nextId++));
    fakes = new FakePorts(testKit);
    backstop =
        testKit.spawn(
            Backstop.create(
                BackstopFixture.settings(),
                BackstopFixture.INSTRUMENTS,
                fakes.ports(balance -> {}),
                persistenceId,
                BackstopFixture.waterfall(),
                1));
  }

  /** USD conserved, and per asset the fund holds exactly the collateral claims brought in. */
  @AfterEach
  void moneyIsConservedPerAsset() {
    Backstop.View view = view();
    long in = view.creditedMinor() + view.toppedUpMinor() + view.receivedMinor();
    assertThat(view.fundMinor() + view.treasuryMinor() + view.escrowMinor() + view.deliveredMinor())
        .isEqualTo(in);
    assertThat(view.fundAssetsMinor()).isEqualTo(seizedMinor);
  }

  @Test
  void theCollateralTrancheComesFirstAndOutsideTheFundsShare() {
    // given a fund of 4,000 and a treasury of 1,000
    topUp("fund-seed", 4_000 * USD, Backstop.ToppedUp.Tranche.INSURANCE_FUND);
    topUp("treasury-seed", 1_000 * USD, Backstop.ToppedUp.Tranche.TREASURY);
    // when a 3,000 USD claim brings 0.05 BTC agreed at 2,000 USD
    file(claim("claim-c-1", 3_000 * USD, Map.of("BTC", 5_000_000L), 2_000 * USD));
    // then the fund pays 2,000 for the collateral (above its 1,000 share of 4,000), then 25% of
    // the 2,000 it has left (500), and the treasury the last 500
    Req cover = fakes.requests.receiveMessage();
    assertThat(cover.kind()).isEqualTo("cover");
    assertThat(cover.amountMinor()).isEqualTo(3_000 * USD);
    cover.answer(3_000 * USD);
    awaitPhase("claim-c-1", Phase.CLOSED);
    Backstop.ClaimView view = getClaim("claim-c-1");
    assertThat(view.tranchesMinor())
        .containsExactly(
            Map.entry("COLLATERAL", 2_000 * USD),
            Map.entry("INSURANCE_FUND", 500 * USD),
            Map.entry("TREASURY", 500 * USD),
            Map.entry("BACKSTOP_VAULTS", 0L),
            Map.entry("AUTO_DELEVERAGING", 0L),
            Map.entry("SOCIALIZED_LOSS", 0L),
            Map.entry("EMERGENCY_DRAWS", 0L),
            Map.entry("UNCOVERED", 0L));
    Backstop.View figures = view();
    assertThat(figures.fundMinor()).isEqualTo(1_500 * USD);
    assertThat(figures.treasuryMinor()).isEqualTo(500 * USD);
    assertThat(figures.fundAssetsMinor()).isEqualTo(Map.of("BTC", 5_000_000L));
    // and every event, the views and the state's parts survive CBOR
    List<Object> recorded = new ArrayList<>(journal.persistedInStorage(persistenceId.id()));
    recorded.add(figures);
    recorded.add(view);
    CborRoundTrip.assertRoundTrips(testKit.system(), recorded);
    assertThat(recorded)
        .anySatisfy(
            e ->
                assertThat(e)
                    .isInstanceOfSatisfying(
                        Backstop.TranchesAllocated.class,
                        t -> assertThat(t.collateralMinor()).isEqualTo(2_000 * USD)));
  }

  @Test
  void collateralWorthTheWholeDebitCoversTheClaimAlone() {
    // given a fund of 4,000
    topUp("fund-seed", 4_000 * USD, Backstop.ToppedUp.Tranche.INSURANCE_FUND);
    // when a flat account 900 USD short hands over ETH agreed at 950
    file(claim("claim-c-2", 900 * USD, Map.of("ETH", 40_000_000L), 950 * USD));
    // then the COLLATERAL tranche is the whole 900; the fund keeps the ETH
    Req cover = fakes.requests.receiveMessage();
    assertThat(cover.amountMinor()).isEqualTo(900 * USD);
    cover.answer(900 * USD);
    awaitPhase("claim-c-2", Phase.CLOSED);
    ClaimRecord claim = getClaim("claim-c-2").claim();
    assertThat(claim.collateralMinor()).isEqualTo(900 * USD);
    assertThat(claim.fundMinor()).isZero();
    assertThat(claim.treasuryMinor()).isZero();
    assertThat(claim.deliveredMinor()).isEqualTo(900 * USD);
    assertThat(view().fundMinor()).isEqualTo(3_100 * USD);
  }

  @Test
  void aFundShortOfUsdPaysWhatItHasAndTheRestGoesDownTheWaterfall() {
    // given a fund of 300 and a treasury of 1,000
    topUp("fund-seed", 300 * USD, Backstop.ToppedUp.Tranche.INSURANCE_FUND);
    topUp("treasury-seed", 1_000 * USD, Backstop.ToppedUp.Tranche.TREASURY);
    // when a 1,000 USD claim brings BTC agreed at 1,000
    file(claim("claim-c-3", 1_000 * USD, Map.of("BTC", 2_300_000L), 1_000 * USD));
    // then the fund converts 300 (all its USD), its share of nothing is 0, the treasury pays 700
    Req cover = fakes.requests.receiveMessage();
    assertThat(cover.amountMinor()).isEqualTo(1_000 * USD);
    cover.answer(1_000 * USD);
    awaitPhase("claim-c-3", Phase.CLOSED);
    ClaimRecord claim = getClaim("claim-c-3").claim();
    assertThat(claim.collateralMinor()).isEqualTo(300 * USD);
    assertThat(claim.fundMinor()).isZero();
    assertThat(claim.treasuryMinor()).isEqualTo(700 * USD);
    // and the fund keeps all the BTC
    assertThat(view().fundMinor()).isZero();
    assertThat(view().fundAssetsMinor()).isEqualTo(Map.of("BTC", 2_300_000L));
  }

  @Test
  void aClaimFiledTwiceAddsItsCollateralOnce() {
    // given
    topUp("fund-seed", 4_000 * USD, Backstop.ToppedUp.Tranche.INSURANCE_FUND);
    ShortfallClaim claim = claim("claim-c-4", 100 * USD, Map.of("BTC", 1_000L), 450_000);
    // when
    ClaimReceipt first = file(claim);
    ClaimReceipt second = file(claim);
    // then
    assertThat(first.duplicate()).isFalse();
    assertThat(second.duplicate()).isTrue();
    fakes.requests.receiveMessage().answer(100 * USD);
    awaitPhase("claim-c-4", Phase.CLOSED);
    assertThat(view().claims()).isEqualTo(1);
    assertThat(view().fundAssetsMinor()).isEqualTo(Map.of("BTC", 1_000L));
  }

  @Test
  void malformedCollateralIsNotTakenAndChangesNothing() {
    // given claims seizing USD, a negative amount, or a value without any collateral
    List<ShortfallClaim> bad =
        List.of(
            claimUnseized("claim-bad-1", Map.of("USD", 5L), 5),
            claimUnseized("claim-bad-2", Map.of("BTC", -5L), 5),
            claimUnseized("claim-bad-3", Map.of(), 5),
            claimUnseized("claim-bad-4", Map.of("BTC", 5L), -1));
    TestProbe<ClaimReceipt> receipts = testKit.createTestProbe();
    // when
    for (ShortfallClaim claim : bad) {
      backstop.tell(new Backstop.FileClaim(claim, receipts.getRef()));
    }
    // then no receipt (the account keeps it open, logged here) and nothing on record
    receipts.expectNoMessage(Duration.ofMillis(300));
    assertThat(view().claims()).isZero();
    assertThat(view().fundAssetsMinor()).isEmpty();
  }

  @Test
  void eventsAndStatesWrittenBeforeTheCollateralTrancheReadWithout() throws Exception {
    // given an allocation and a snapshot of the shapes written before
    Backstop.TranchesAllocated allocated =
        new Backstop.TranchesAllocated(1, 5, 6, List.of(), 20, 30, 19_000, 11, 1, 1_000, 7);
    BackstopState state =
        BackstopState.empty()
            .apply(
                new Backstop.ClaimFiled(
                    1, claimUnseized("claim-o-1", Map.of("BTC", 3L), 9, 10), "BTC", 1_000));
    // when
    Backstop.TranchesAllocated oldAllocated =
        (Backstop.TranchesAllocated) readWithout(allocated, List.of("collateralMinor"));
    BackstopState oldState =
        (BackstopState) readWithout(state, List.of("fundAssetsMinor", "collateralInMinor"));
    // then
    assertThat(oldAllocated.collateralMinor()).isZero();
    assertThat(oldAllocated.fundMinor()).isEqualTo(5);
    assertThat(oldState.fundAssetsMinor()).isEmpty();
    assertThat(oldState.claims()).isEqualTo(state.claims());
    assertThat(state.fundAssetsMinor()).isEqualTo(Map.of("BTC", 3L));
  }

  // ---------------------------------------------------------------- helpers

  private ShortfallClaim claim(
      String id, long shortfall, Map<String, Long> collateral, long valueMinor) {
    collateral.forEach((asset, amount) -> seizedMinor.merge(asset, amount, Long::sum));
    return claimUnseized(id, collateral, valueMinor, shortfall);
  }

  private static ShortfallClaim claimUnseized(
      String id, Map<String, Long> collateral, long valueMinor) {
    return claimUnseized(id, collateral, valueMinor, 100 * USD);
  }

  private static ShortfallClaim claimUnseized(
      String id, Map<String, Long> collateral, long valueMinor, long shortfall) {
    return new ShortfallClaim(
        id, "acct-" + id, shortfall, "BTC-PERP", 1_000, MARK, 1, collateral, valueMinor);
  }

  private static Object readWithout(Object message, List<String> fields) throws Exception {
    Serialization serialization = SerializationExtension.get(testKit.system());
    ObjectMapper cbor =
        JacksonObjectMapperProvider.get(testKit.system())
            .getOrCreate("jackson-cbor", Optional.empty());
    ObjectNode tree = (ObjectNode) cbor.readTree(serialization.serialize(message).get());
    assertThat(tree.has(fields.get(0))).isTrue();
    tree.remove(fields);
    Serializer serializer = serialization.findSerializerFor(message);
    return serialization
        .deserialize(
            cbor.writeValueAsBytes(tree),
            serializer.identifier(),
            Serializers.manifestFor(serializer, message))
        .get();
  }

  private void topUp(String requestId, long amount, Backstop.ToppedUp.Tranche tranche) {
    TestProbe<Backstop.Reply> replies = testKit.createTestProbe();
    backstop.tell(new Backstop.TopUp(requestId, tranche, amount, "op-1", replies.getRef()));
    assertThat(replies.receiveMessage()).isInstanceOf(Backstop.Accepted.class);
  }

  private ClaimReceipt file(ShortfallClaim claim) {
    TestProbe<ClaimReceipt> receipts = testKit.createTestProbe();
    backstop.tell(new Backstop.FileClaim(claim, receipts.getRef()));
    return receipts.receiveMessage();
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

  private void awaitPhase(String claimId, Phase phase) {
    TestProbe<Backstop.ClaimView> views = testKit.createTestProbe();
    views.awaitAssert(
        Duration.ofSeconds(5),
        () -> {
          assertThat(getClaim(claimId).claim().phase()).isEqualTo(phase);
          return null;
        });
  }
}
