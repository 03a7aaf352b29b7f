// kafkajs producer (and admin) against ActorBroker; driven by KafkaJsProducerTests.
// usage: node produce.js <bootstrap> <topic> <count> <none|gzip> [batchSize]
// Creates the topic (1 partition), sends <count> records in batches with acks=-1 and prints one JSON line:
// { created, metadata, sends: [{ first, baseOffset, errorCode }], offsets }.
// Records: key `kafkajs-key-NNNNNN`, value `v<i>:` + deterministic text, headers index=<i>, source=kafkajs.
'use strict';
const { Kafka, CompressionTypes, logLevel } = require('kafkajs');

const [bootstrap, topic, countArg, compressionArg = 'none', batchArg = '500'] = process.argv.slice(2);
if (!bootstrap || !topic || !countArg) {
  console.error('usage: node produce.js <bootstrap> <topic> <count> <none|gzip> [batchSize]');
  process.exit(2);
}
const count = Number(countArg);
const batchSize = Number(batchArg);
const compression = { none: CompressionTypes.None, gzip: CompressionTypes.GZIP }[compressionArg];
if (compression === undefined) {
  console.error(`unknown compression ${compressionArg} (kafkajs has gzip built in; others need codecs)`);
  process.exit(2);
}

const kafka = new Kafka({
  clientId: 'compat-kafkajs',
  brokers: [bootstrap],
  logLevel: logLevel.WARN,
  connectionTimeout: 10000,
  requestTimeout: 30000,
  retry: { retries: 5 },
});

function record(i) {
  return {
    key: `kafkajs-key-${String(i).padStart(6, '0')}`,
    value: `v${i}:` + 'kafkajs-payload-'.repeat(1 + (i % 13)) + '日本語',
    headers: { index: String(i), source: 'kafkajs' },
  };
}

async function main() {
  const admin = kafka.admin();
  await admin.connect();
  const created = await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
  const metadata = await admin.fetchTopicMetadata({ topics: [topic] });

  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const sends = [];
  for (let first = 0; first < count; first += batchSize) {
    const messages = [];
    for (let i = first; i < Math.min(count, first + batchSize); i++) messages.push(record(i));
    const result = await producer.send({ topic, acks: -1, compression, messages });
    sends.push({ first, baseOffset: result[0].baseOffset, errorCode: result[0].errorCode, partition: result[0].partition });
  }
  await producer.disconnect();

  const offsets = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  console.log(JSON.stringify({ created, metadata, sends, offsets }));
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(1);
});
