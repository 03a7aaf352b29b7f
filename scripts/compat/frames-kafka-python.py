#!/usr/bin/python3
"""kafka-python session for frame captures: produce 3 keyed records with a header, then read them back
with assign() + seek_to_beginning(). Run with /usr/bin/python3 (Debian python3-kafka 2.0.2).

  frames-kafka-python.py BOOTSTRAP TOPIC
"""
import sys
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

bootstrap, topic = sys.argv[1], sys.argv[2]
producer = KafkaProducer(bootstrap_servers=bootstrap, client_id="frames-kafka-python", acks="all", linger_ms=50)
for i in range(3):
    producer.send(topic, key=f"key-{i}".encode(), value=f"kafka-python value {i}".encode(),
                  headers=[("source", b"kafka-python")])
producer.flush()
producer.close()

consumer = KafkaConsumer(bootstrap_servers=bootstrap, client_id="frames-kafka-python",
                         enable_auto_commit=False, consumer_timeout_ms=3000)
tp = TopicPartition(topic, 0)
consumer.assign([tp])
consumer.seek_to_beginning(tp)
values = [m.value.decode() for m in consumer]
consumer.close()
print(values)
sys.exit(0 if len(values) >= 3 else 1)
