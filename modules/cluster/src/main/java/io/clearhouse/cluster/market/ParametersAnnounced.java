package io.clearhouse.cluster.market;

import io.clearhouse.cluster.serialization.CborSerializable;
import io.clearhouse.domain.params.RiskParameters;
import java.util.Objects;

/**
 * Governance's announcement of the risk parameters in force, published on {@link
 * MarketTopics#PARAMETERS_TOPIC} when a version becomes active, after governance recovers and every
 * announce interval (so a node that joined late or missed a copy catches up). Every node's {@link
 * ParametersSubscriber} offers it to the node's {@link ParametersBoard}, which keeps only newer
 * versions, so repeats and late copies change nothing.
 *
 * @param version the governance version, above every earlier one
 */
public record ParametersAnnounced(long version, RiskParameters parameters)
    implements CborSerializable {
  public ParametersAnnounced {
    Objects.requireNonNull(parameters, "parameters");
    if (version < 1) {
      throw new IllegalArgumentException("version must be >= 1: " + version);
    }
  }
}
