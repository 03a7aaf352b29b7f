// kafkajs consumer group with manual commits against ActorBroker; driven by KafkaJsGroupTests.
// usage: node group-consume.js <bootstrap> <topic> <group> <count> [timeoutMs]
// Joins <group>, subscribes to <topic> fromBeginning and runs with autoCommit: false; eachMessage records the
// message and commits offset+1 of its partition with consumer.commitOffsets. After <count> messages it
// disconnects (LeaveGroup), reads the group's offsets with admin.fetchOffsets and describes the group, and prints
// one JSON line: { records: [{ p, o, v }], commits: [{ p, offset }], fetched, group }.
// Exits 3 (after printing) if <count> messages did not arrive within timeoutMs (default 40000).
'use strict';
const { Kafka, logLevel } = require('kafkajs');

const [bootstrap, topic, group, countArg, timeoutArg = '40000'] = process.argv.slice(2);
if (!bootstrap || !topic || !group || !countArg) {
  console.error('usage: node group-consume.js <bootstrap> <topic> <group> <count> [timeoutMs]');
  process.exit(2);
}
const count = Number(countArg);
const timeoutMs = Number(timeoutArg);

const kafka = new Kafka({
  clientId: 'compat-kafkajs-group',
  brokers: [bootstrap],
  logLevel: logLevel.WARN,
  connectionTimeout: 10000,
  requestTimeout: 30000,
  retry: { retries: 8 },
});

async function main() {
  const consumer = kafka.consumer({ groupId: group, sessionTimeout: 10000, rebalanceTimeout: 10000, heartbeatInterval: 1000 });
  const records = [];
  const commits = [];
  let resolveDone;
  const done = new Promise((resolve) => { resolveDone = resolve; });

  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ topic: t, partition, message }) => {
      records.push({ p: partition, o: Number(message.offset), v: message.value === null ? null : message.value.toString() });
      const next = (BigInt(message.offset) + 1n).toString();
      await consumer.commitOffsets([{ topic: t, partition, offset: next }]);
      commits.push({ p: partition, offset: Number(next) });
      if (records.length >= count) resolveDone(true);
    },
  });

  const timer = setTimeout(() => resolveDone(false), timeoutMs);
  const complete = await done;
  clearTimeout(timer);
  await consumer.disconnect();

  const admin = kafka.admin();
  await admin.connect();
  const fetched = await admin.fetchOffsets({ groupId: group, topics: [topic] });
  const described = await admin.describeGroups([group]);
  await admin.disconnect();

  const g = described.groups[0];
  console.log(JSON.stringify({
    complete,
    records,
    commits,
    fetched,
    group: { groupId: g.groupId, state: g.state, protocolType: g.protocolType, errorCode: g.errorCode, members: g.members.length },
  }));
  if (!complete) process.exit(3);
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(1);
});
