package io.clearhouse.cluster.backstop;

import static org.assertj.core.api.Assertions.assertThat;

import io.clearhouse.cluster.transfer.TakenPosition;
import io.clearhouse.cluster.transfer.Transfer;
import io.clearhouse.cluster.transfer.TransferAck;
import io.clearhouse.cluster.transfer.TransferRouter;
import io.clearhouse.cluster.vault.Vault;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class TransferRoutingTest {
  private static final ActorTestKit testKit = ActorTestKit.create();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void routesVaultTransfersToTheirVaultAndFundTransfersToTheBackstop() {
    // given
    TestProbe<Vault.Command> v1 = testKit.createTestProbe();
    TestProbe<Vault.Command> v2 = testKit.createTestProbe();
    TestProbe<Backstop.Command> backstop = testKit.createTestProbe();
    TestProbe<TransferAck> acks = testKit.createTestProbe();
    Map<String, TestProbe<Vault.Command>> vaults = Map.of("v1", v1, "v2", v2);
    TransferRouter router = TransferRouting.of(id -> vaults.get(id).getRef(), backstop.getRef());
    Transfer toVault =
        new Transfer(
            "account:a|1|vault:v2",
            Transfer.Receiver.VAULT,
            "v2",
            "account:a",
            1,
            List.of(new TakenPosition("BTC-PERP", 1, 60_000_000, true)),
            5);
    Transfer toFund =
        new Transfer(
            "account:a|1|fund", Transfer.Receiver.INSURANCE_FUND, "", "account:a", 1, List.of(), 5);
    // when
    router.send(toVault, acks.getRef());
    router.send(toFund, acks.getRef());
    // then
    assertThat(v2.expectMessageClass(Vault.Receive.class))
        .isEqualTo(new Vault.Receive(toVault, acks.getRef()));
    assertThat(backstop.expectMessageClass(Backstop.Receive.class))
        .isEqualTo(new Backstop.Receive(toFund, acks.getRef()));
    v1.expectNoMessage();
  }
}
