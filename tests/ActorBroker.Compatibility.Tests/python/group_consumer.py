# kafka-python group consumer driven by KafkaPythonGroupTests; run with /usr/bin/python3 -u.
# usage: group_consumer.py <bootstrap> <topic> <group> <name> [session_timeout_ms] [heartbeat_interval_ms]
# Subscribes with KafkaConsumer(topic, group_id=..., auto_offset_reset='earliest', enable_auto_commit=False) and
# loops forever: poll, print one JSON line per record, then commit the consumed positions synchronously.
# Lines (one JSON object each, flushed):
#   {"event": "assigned", "name": N, "partitions": [..]}   whenever the assignment changes (also to empty)
#   {"event": "record", "name": N, "p": P, "o": O, "v": "..."}
#   {"event": "committed", "name": N, "offsets": {"P": next_offset, ..}}
#   {"event": "commit_failed", "name": N, "error": "..."}
import json
import sys

from kafka import KafkaConsumer, TopicPartition
from kafka.structs import OffsetAndMetadata


def emit(obj):
    sys.stdout.write(json.dumps(obj, sort_keys=True) + "\n")
    sys.stdout.flush()


def main():
    if len(sys.argv) < 5:
        sys.stderr.write("usage: group_consumer.py <bootstrap> <topic> <group> <name> [session_ms] [heartbeat_ms]\n")
        return 2
    bootstrap, topic, group, name = sys.argv[1:5]
    session_ms = int(sys.argv[5]) if len(sys.argv) > 5 else 10000
    heartbeat_ms = int(sys.argv[6]) if len(sys.argv) > 6 else 3000

    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=group,
        client_id="compat-kafka-python-" + name,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        session_timeout_ms=session_ms,
        heartbeat_interval_ms=heartbeat_ms,
    )
    emit({"event": "started", "name": name})

    assigned = None
    while True:
        batches = consumer.poll(timeout_ms=200)
        current = sorted(tp.partition for tp in consumer.assignment())
        if current != assigned:
            assigned = current
            emit({"event": "assigned", "name": name, "partitions": current})
        if not batches:
            continue

        offsets = {}
        for tp, records in batches.items():
            for r in records:
                emit({"event": "record", "name": name, "p": r.partition, "o": r.offset,
                      "v": r.value.decode("utf-8") if r.value is not None else None})
            offsets[TopicPartition(tp.topic, tp.partition)] = OffsetAndMetadata(records[-1].offset + 1, "")
        try:
            consumer.commit(offsets)
            emit({"event": "committed", "name": name,
                  "offsets": {str(tp.partition): om.offset for tp, om in offsets.items()}})
        except Exception as e:  # CommitFailedError after a rebalance: the records may come again (at-least-once)
            emit({"event": "commit_failed", "name": name, "error": repr(e)})


if __name__ == "__main__":
    sys.exit(main())
