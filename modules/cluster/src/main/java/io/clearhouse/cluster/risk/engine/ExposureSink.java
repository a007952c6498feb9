package io.clearhouse.cluster.risk.engine;

/**
 * Where the risk engine hands its node's exposure every report interval: the glue to the risk
 * supervisor in production, a probe in tests. Called from the engine's actor; it must not block.
 */
@FunctionalInterface
public interface ExposureSink {
  void report(NodeExposure exposure);

  /** Discards every report. */
  ExposureSink NONE = exposure -> {};
}
