#!/usr/bin/env bash
# Captures the first request frames (ApiVersions, and what each client pipelines with it) of kafka-python,
# kcat (system librdkafka) and kafkajs against a record-only listener: no broker needed.
# Output: tests/ActorBroker.Protocol.Tests/Frames/<client>/<api_key>-v<version>-<n>.bin
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
port="${CAPTURE_PORT:-19092}"
capture="scripts/compat/capture-frames.py"

run_capture() { # run_capture CLIENT -- CLIENT-COMMAND...
  local client="$1"; shift 2
  /usr/bin/python3 "$capture" --client "$client" --listen "127.0.0.1:$port" --max-connections 1 --duration 30 &
  local recorder=$!
  sleep 0.5
  timeout 15 "$@" >/dev/null 2>&1 || true   # the client fails: nobody answers
  wait "$recorder"
}

run_capture kafka-python -- /usr/bin/python3 -c \
  "from kafka import KafkaProducer; KafkaProducer(bootstrap_servers='127.0.0.1:$port', api_version_auto_timeout_ms=3000)"
run_capture kcat -- kcat -L -b "127.0.0.1:$port" -m 3
run_capture kafkajs -- env NODE_PATH="$root/tests/ActorBroker.Compatibility.Tests/js/node_modules" node -e "
  const { Kafka, logLevel } = require('kafkajs');
  const kafka = new Kafka({ clientId: 'compat-kafkajs', brokers: ['127.0.0.1:$port'], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
  kafka.admin().connect().catch(() => process.exit(0));"
