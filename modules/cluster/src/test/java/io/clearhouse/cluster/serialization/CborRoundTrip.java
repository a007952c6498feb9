package io.clearhouse.cluster.serialization;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.pekko.actor.testkit.typed.javadsl.SerializationTestKit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.jackson.JacksonCborSerializer;

/**
 * The assertion every serialization test makes: a message is bound to Jackson CBOR (never Java
 * serialization) and comes back equal after a round trip.
 */
public final class CborRoundTrip {
  private CborRoundTrip() {}

  public static void assertRoundTrips(ActorSystem<?> system, Iterable<?> messages) {
    SerializationTestKit serialization = new SerializationTestKit(system);
    for (Object message : messages) {
      assertThat(SerializationExtension.get(system).findSerializerFor(message))
          .as(message.getClass().getName())
          .isInstanceOf(JacksonCborSerializer.class);
      assertThat(serialization.verifySerialization(message, true))
          .as(message.getClass().getName())
          .isEqualTo(message);
    }
  }
}
