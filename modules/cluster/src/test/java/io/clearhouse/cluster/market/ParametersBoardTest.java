package io.clearhouse.cluster.market;

import static org.assertj.core.api.Assertions.assertThat;

import io.clearhouse.domain.params.RiskParameters;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The node's parameters in force move only forward, and say so to who listens. */
class ParametersBoardTest {

  @Test
  void startsWithTheConfigParametersAsTheirOwnVersion() {
    // given
    RiskParameters config = RiskParameters.defaults();
    // when
    ParametersBoard board = new ParametersBoard(config);
    // then
    assertThat(board.version()).isEqualTo(config.version());
    assertThat(board.current()).isEqualTo(config);
  }

  @Test
  void takesOnlyANewerVersion() {
    // given a board at version 1
    ParametersBoard board = new ParametersBoard(RiskParameters.defaults());
    RiskParameters v3 = ParametersFixtures.marginTimes(3, 2);
    RiskParameters v2 = ParametersFixtures.marginTimes(2, 3);
    // when offered 3, then 3 again, then a late 2 and a repeat of 1
    boolean took3 = board.offer(3, v3);
    boolean took3Again = board.offer(3, ParametersFixtures.marginTimes(3, 4));
    boolean took2 = board.offer(2, v2);
    boolean took1 = board.offer(1, RiskParameters.defaults());
    // then only the first offer was taken
    assertThat(took3).isTrue();
    assertThat(took3Again).isFalse();
    assertThat(took2).isFalse();
    assertThat(took1).isFalse();
    assertThat(board.versioned()).isEqualTo(new ParametersBoard.Versioned(3, v3));
  }

  @Test
  void tellsItsListenersOfEveryVersionTakenAndOfNoOther() {
    // given a listening board
    ParametersBoard board = new ParametersBoard(RiskParameters.defaults());
    List<Long> heard = new ArrayList<>();
    ParametersBoard.Listener listener = taken -> heard.add(taken.version());
    board.listen(listener);
    // when
    board.offer(2, ParametersFixtures.marginTimes(2, 2));
    board.offer(2, ParametersFixtures.marginTimes(2, 2));
    board.unlisten(listener);
    board.offer(3, ParametersFixtures.marginTimes(3, 2));
    // then
    assertThat(heard).containsExactly(2L);
    assertThat(board.version()).isEqualTo(3);
  }
}
