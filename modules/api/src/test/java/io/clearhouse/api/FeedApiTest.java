package io.clearhouse.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.clearhouse.cluster.account.Account;
import io.clearhouse.domain.error.ErrorCode;
import io.clearhouse.testkit.await.Await;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The HTTP contract of {@code /v1/feeds}: a bad batch is rejected whole with its status and stable
 * code, nothing reaches the journal, and a repeat is answered with the first result.
 */
class FeedApiTest extends ApiTestBase {
  private static final java.util.concurrent.atomic.AtomicInteger FEEDS =
      new java.util.concurrent.atomic.AtomicInteger();

  /** Each test gets a feed of its own, so no test sees another's sequence numbers. */
  final String venue = "feed-" + FEEDS.incrementAndGet();

  final String path = "/v1/feeds/" + venue + "/batches";

  static String trade(
      String id, String instrument, String price, Object qty, String buyer, String seller) {
    return "{\"tradeId\":\""
        + id
        + "\",\"instrument\":\""
        + instrument
        + "\",\"price\":\""
        + price
        + "\",\"quantity\":"
        + qty
        + ",\"buyer\":\""
        + buyer
        + "\",\"seller\":\""
        + seller
        + "\",\"aggressor\":\"BUY\"}";
  }

  static String batch(long sequence, String... trades) {
    return "{\"sequence\":" + sequence + ",\"trades\":[" + String.join(",", trades) + "]}";
  }

  static final String GOOD = trade("t1", "BTC-PERP", "60000.01", 2, "mm-1", "mm-2");

  /**
   * A feed admits only known accounts and caps open interest by the vaults' committed capital: the
   * traders deposit, an LP funds a vault that commits to BTC, and the test waits until the
   * supervisor's broadcast carries the commitment.
   */
  @BeforeAll
  static void fundTradersAndCommitAVault() throws Exception {
    for (String account : List.of("mm-1", "mm-2")) {
      String deposit = "{\"requestId\":\"feed-dep\",\"asset\":\"USD\",\"amount\":\"100000\"}";
      ok(send("POST", "/v1/accounts/" + account + "/deposits", TRADER, deposit), 201);
    }
    String lp = "{\"requestId\":\"feed-lp\",\"lpId\":\"lp-feed\",\"amount\":\"10000\"}";
    ok(send("POST", "/v1/vaults/v-feed/deposits", LP, lp), 201);
    String commit = "{\"requestId\":\"feed-c\",\"underlying\":\"BTC\",\"amount\":\"10000\"}";
    ok(send("POST", "/v1/vaults/v-feed/commitments", OPERATOR, commit), 201);
    Await.until(
        "the supervisor broadcasts the BTC commitment",
        Duration.ofSeconds(15),
        () -> board.modes().committedMinor().getOrDefault("BTC", 0L) > 0);
  }

  /**
   * Nothing of this test's feed reached the journal: no feed event, and no account event from it
   * (other tests book for the same accounts through their own feeds, concurrently with this one).
   */
  void assertNothingBooked() {
    assertThat(journal.persistedInStorage("TradeFeed|" + venue)).isEmpty();
    for (String account : List.of("mm-1", "mm-2")) {
      assertThat(journal.persistedInStorage("Account|" + account))
          .filteredOn(e -> e instanceof Account.LegsApplied l && l.feedId().equals(venue))
          .isEmpty();
    }
  }

  static Stream<Arguments> badBatches() {
    return Stream.of(
        Arguments.of(
            "unknown instrument",
            batch(1, GOOD, trade("t2", "DOGE-PERP", "1", 1, "mm-1", "mm-2")),
            422,
            ErrorCode.UNKNOWN_INSTRUMENT),
        Arguments.of(
            "price off tick",
            batch(1, GOOD, trade("t2", "BTC-PERP", "60000.015", 1, "mm-1", "mm-2")),
            422,
            ErrorCode.INVALID_PRICE_TICK),
        Arguments.of(
            "negative price",
            batch(1, trade("t2", "BTC-PERP", "-1", 1, "mm-1", "mm-2")),
            400,
            ErrorCode.INVALID_AMOUNT),
        Arguments.of(
            "zero quantity",
            batch(1, trade("t2", "BTC-PERP", "1", 0, "mm-1", "mm-2")),
            422,
            ErrorCode.INVALID_QUANTITY),
        Arguments.of(
            "fractional quantity",
            batch(1, trade("t2", "BTC-PERP", "1", 1.5, "mm-1", "mm-2")),
            400,
            ErrorCode.MALFORMED_JSON),
        Arguments.of(
            "self trade",
            batch(1, trade("t2", "BTC-PERP", "1", 1, "mm-1", "mm-1")),
            422,
            ErrorCode.SELF_TRADE),
        Arguments.of("duplicate trade id", batch(1, GOOD, GOOD), 422, ErrorCode.DUPLICATE_TRADE_ID),
        Arguments.of(
            "malformed account",
            batch(1, trade("t2", "BTC-PERP", "1", 1, "mm 1", "mm-2")),
            400,
            ErrorCode.MALFORMED_ID),
        Arguments.of("empty batch", batch(1), 422, ErrorCode.BATCH_EMPTY),
        Arguments.of("sequence gap", batch(2, GOOD), 422, ErrorCode.BATCH_SEQUENCE_GAP),
        Arguments.of("sequence zero", batch(0, GOOD), 400, ErrorCode.INVALID_ARGUMENT),
        Arguments.of(
            "missing sequence", "{\"trades\":[" + GOOD + "]}", 400, ErrorCode.MISSING_FIELD),
        Arguments.of(
            "unknown field",
            "{\"sequence\":1,\"trades\":[],\"memo\":1}",
            400,
            ErrorCode.UNKNOWN_FIELD),
        Arguments.of(
            "bad aggressor",
            batch(1, GOOD.replace("\"BUY\"", "\"HOLD\"")),
            400,
            ErrorCode.INVALID_ARGUMENT),
        Arguments.of("malformed json", "{\"sequence\":1,", 400, ErrorCode.MALFORMED_JSON));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badBatches")
  void aBadBatchIsRejectedWholeAndBooksNothing(String what, String body, int status, ErrorCode code)
      throws Exception {
    assertError(send("POST", path, VENUE, body), status, code);
    assertNothingBooked();
  }

  @Test
  void aBatchWithAnAccountThatNeverDepositedIsRejectedWholeAndBooksNothing() throws Exception {
    // given
    String ghost = trade("t2", "BTC-PERP", "60000.01", 1, "mm-1", "mm-ghost");
    // when
    var rejected = send("POST", path, VENUE, batch(1, GOOD, ghost));
    // then
    assertError(rejected, 422, ErrorCode.UNKNOWN_ACCOUNT);
    assertNothingBooked();
  }

  @Test
  void onlyTheVenuesOwnKeyMayPostItsBatches() throws Exception {
    assertError(send("POST", path, null, batch(1, GOOD)), 401, ErrorCode.UNAUTHENTICATED);
    assertError(send("POST", path, TRADER, batch(1, GOOD)), 403, ErrorCode.FORBIDDEN);
    assertError(send("POST", path, OPERATOR, batch(1, GOOD)), 403, ErrorCode.FORBIDDEN);
    assertError(
        send("POST", "/v1/feeds/venue-b/batches", VENUE, batch(1, GOOD)), 403, ErrorCode.FORBIDDEN);
    assertNothingBooked();
  }

  @Test
  void aBatchIsBookedOnceAndItsRepeatGetsTheFirstAnswer() throws Exception {
    // given
    var first = send("POST", path, VENUE, batch(1, GOOD));
    // when
    var repeat = send("POST", path, VENUE, batch(1, GOOD));
    var conflict =
        send("POST", path, VENUE, batch(1, trade("t1", "BTC-PERP", "60000.01", 3, "mm-1", "mm-2")));
    // then
    assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
    assertThat(repeat.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(repeat.body()).get("replayed").asBoolean()).isTrue();
    assertThat(JSON.readTree(repeat.body()).get("feesMinor"))
        .isEqualTo(JSON.readTree(first.body()).get("feesMinor"));
    assertError(conflict, 409, ErrorCode.BATCH_CONFLICT);
    // One batch booked; delivery and fee-sweep events may follow at any moment.
    assertThat(journal.persistedInStorage("TradeFeed|" + venue))
        .filteredOn(e -> e.getClass().getSimpleName().equals("BatchBooked"))
        .hasSize(1);
    var progress = JSON.readTree(send("GET", "/v1/feeds/" + venue, OPERATOR, null).body());
    assertThat(progress.get("lastSequence").asLong()).isEqualTo(1);
  }
}
