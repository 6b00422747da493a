// The peer of the first-sync benchmark (tests/tests/bench.rs): a CouchDB-compatible server
// (express-pouchdb over PouchDB's in-memory adapter, responses gzipped like Yorisoi's) holding
// `count` documents of about 2 KB each, and a page that loads PouchDB 9's browser build.
//
//   node peer.js <count>    prints `PORT <port>` once the documents are stored.
const path = require('path');
const express = require('express');
const compression = require('compression');
const PouchDB = require('pouchdb').plugin(require('pouchdb-adapter-memory'));

const Mem = PouchDB.defaults({ adapter: 'memory' });
const count = Number(process.argv[2] || 10000);

// One record as a document: 13 answers of about 150 characters, like the benchmark's MSFAS
// records (≈ 2 KB of JSON each).
function record(n) {
  const answers = {};
  for (let q = 1; q <= 13; q++) {
    answers[`user1.q${q}`] = `記録 ${n} の回答 ${q}: ` + 'work situation, coping and result '.repeat(4);
  }
  return { _id: `record-${String(n).padStart(6, '0')}`, client: `client-${n % 100}`, instrument: 'msfas', answers };
}

async function main() {
  const db = new Mem('bench');
  for (let start = 0; start < count; start += 1000) {
    const docs = [];
    for (let n = start; n < Math.min(count, start + 1000); n++) docs.push(record(n));
    await db.bulkDocs(docs);
  }
  const app = express();
  app.use(compression());
  app.get('/', (req, res) => res.type('html').send('<!doctype html><meta charset="utf-8"><title>peer</title><script src="/pouchdb.min.js"></script>'));
  app.get('/pouchdb.min.js', (req, res) => res.sendFile(path.join(__dirname, 'node_modules/pouchdb/dist/pouchdb.min.js')));
  app.use('/db', require('express-pouchdb')(Mem, { mode: 'minimumForPouchDB', inMemoryConfig: true }));
  const server = app.listen(0, '127.0.0.1', () => console.log(`PORT ${server.address().port}`));
}

main().catch((e) => { console.error(e); process.exit(1); });
