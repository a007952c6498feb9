package io.clearhouse.cluster.market;

import io.clearhouse.domain.params.RiskParameters;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/**
 * This node's copy of the risk parameters in force and their governance version. One instance per
 * node, written by the node's {@link ParametersSubscriber} (the parameters topic's local
 * subscriber) and read at use time by everything hosted here that applies the parameters: accounts
 * (margin, pre-trade, withdrawals), vaults (marking), trade feeds (fee rates) and the risk engine.
 *
 * <p>Like {@link MarketBoard} it is shared memory on purpose: a margin check must not wait for a
 * message to know the rates, and every reader on the node sees the same version. The version and
 * its parameters are replaced together as one immutable value, so a reader never sees the rates of
 * one version under the number of another.
 */
public final class ParametersBoard {
  /** The parameters in force and their version, replaced as one value. */
  public record Versioned(long version, RiskParameters parameters) {
    public Versioned {
      Objects.requireNonNull(parameters, "parameters");
      if (version < 1) {
        throw new IllegalArgumentException("version must be >= 1: " + version);
      }
    }
  }

  /** Hears every version the board takes, on the thread of the writer; must only send messages. */
  @FunctionalInterface
  public interface Listener {
    void taken(Versioned versioned);
  }

  private final AtomicReference<Versioned> current;
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();

  /** A board holding the start parameters (from config) as version {@code parameters.version()}. */
  public ParametersBoard(RiskParameters parameters) {
    this.current = new AtomicReference<>(new Versioned(parameters.version(), parameters));
  }

  /**
   * Takes {@code parameters} as {@code version} if it is newer than the version held; returns
   * whether it was taken. Older and equal versions are ignored: governance re-announces the version
   * in force every interval, and a late copy of an old version must not roll the node back.
   */
  public boolean offer(long version, RiskParameters parameters) {
    Versioned offered = new Versioned(version, parameters);
    Versioned held = current.get();
    while (version > held.version()) {
      if (current.compareAndSet(held, offered)) {
        listeners.forEach(listener -> listener.taken(offered));
        return true;
      }
      held = current.get();
    }
    return false;
  }

  /** The parameters in force on this node. */
  public RiskParameters current() {
    return current.get().parameters();
  }

  /** The governance version of {@link #current()}. */
  public long version() {
    return current.get().version();
  }

  /** The version and its parameters, read together. */
  public Versioned versioned() {
    return current.get();
  }

  /**
   * Registers a listener for versions taken from now on. Register before reading {@link
   * #versioned()}: a version taken in between is then heard rather than missed.
   */
  public void listen(Listener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** Stops notifying {@code listener} (an actor that stopped). */
  public void unlisten(Listener listener) {
    listeners.remove(listener);
  }
}
