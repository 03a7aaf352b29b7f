"""Reads every record of one partition with kafka-python and prints one line per record:
offset|timestamp|hex(key)|headers as k=hex(v) joined by ','|hex(value)   ("-" for a null key or value)."""
import sys
from kafka import KafkaConsumer, TopicPartition

bootstrap, topic, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None,
                         consumer_timeout_ms=30000, max_partition_fetch_bytes=1048576)
tp = TopicPartition(topic, 0)
consumer.assign([tp])
consumer.seek_to_beginning(tp)
out = sys.stdout
seen = 0
for m in consumer:
    key = "-" if m.key is None else m.key.hex()
    value = "-" if m.value is None else m.value.hex()
    headers = ",".join(k + "=" + ("-" if v is None else v.hex()) for k, v in m.headers)
    out.write(f"{m.offset}|{m.timestamp}|{key}|{headers}|{value}\n")
    seen += 1
    if seen >= count:
        break
consumer.close()
