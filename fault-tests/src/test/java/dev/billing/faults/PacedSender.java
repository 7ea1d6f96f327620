package dev.billing.faults;

import dev.billing.gateway.client.InputProducers;
import dev.billing.it.KafkaTestClient;
import dev.billing.it.TestMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** The simulated producers of the fault scenarios: they keep sending, at a steady pace, while the fault hits. */
final class PacedSender {
    private PacedSender() {}

    /**
     * Sends {@code messages} in order at about {@code perSecond} per second and starts {@code fault}
     * on its own thread when {@code faultAt} have been sent, so the producers keep sending during
     * the fault. Returns when everything is sent and the fault is over, with where each message
     * landed. The producer retries through broker outages.
     */
    static List<KafkaTestClient.Sent> send(String bootstrap, List<TestMessage> messages, int perSecond, int faultAt,
            FaultScenariosIT.Fault fault) throws Exception {
        Properties p = InputProducers.properties(bootstrap);
        p.put("linger.ms", "5");
        p.put("delivery.timeout.ms", "300000");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            long start = System.nanoTime();
            Thread faultThread = null;
            AtomicReference<Throwable> failure = new AtomicReference<>();
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (int i = 0; i < messages.size(); i++) {
                if (i == faultAt) {
                    faultThread = new Thread(() -> {
                        try {
                            fault.inject();
                        } catch (Throwable t) {
                            failure.set(t);
                        }
                    }, "fault");
                    faultThread.start();
                }
                TestMessage m = messages.get(i);
                sent.add(producer.send(new ProducerRecord<>(m.topic(), m.key(), m.value())));
                long due = start + i * 1_000_000_000L / perSecond;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000)); // pacing of the simulated producers
                }
            }
            producer.flush();
            if (faultThread != null) {
                faultThread.join();
            }
            if (failure.get() != null) {
                throw new IllegalStateException("injecting the fault failed", failure.get());
            }
            List<KafkaTestClient.Sent> out = new ArrayList<>();
            for (Future<RecordMetadata> f : sent) {
                RecordMetadata md = f.get();
                out.add(new KafkaTestClient.Sent(md.topic(), md.partition(), md.offset()));
            }
            return out;
        }
    }
}
