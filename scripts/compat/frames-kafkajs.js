// kafkajs session for frame captures: admin createTopics, producer.send (acks -1, 2 records with a header),
// admin fetchTopicOffsets. Run with NODE_PATH=tests/ActorBroker.Compatibility.Tests/js/node_modules.
// usage: node frames-kafkajs.js <bootstrap> <topic>
'use strict';
const { Kafka, logLevel } = require('kafkajs');

const [bootstrap, topic] = process.argv.slice(2);
const kafka = new Kafka({ clientId: 'frames-kafkajs', brokers: [bootstrap], logLevel: logLevel.WARN, retry: { retries: 3 } });

async function main() {
  const admin = kafka.admin();
  await admin.connect();
  const created = await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const sent = await producer.send({
    topic,
    acks: -1,
    messages: [
      { key: 'kafkajs-key-0', value: 'kafkajs value 0', headers: { source: 'kafkajs' } },
      { key: 'kafkajs-key-1', value: 'kafkajs value 1', headers: { source: 'kafkajs' } },
    ],
  });
  await producer.disconnect();
  const offsets = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  console.log(JSON.stringify({ created, sent, offsets }));
}

main().catch((e) => { console.error(e && e.stack ? e.stack : e); process.exit(1); });
