// Drives a running Quiver server through the official Qdrant JS REST client (pinned in package.json).
// usage: node client-test.mjs http://127.0.0.1:PORT     exits 0 when every step behaved as Qdrant would.
import { QdrantClient } from '@qdrant/js-client-rest';
import assert from 'node:assert/strict';

const url = process.argv[2];
if (!url) {
  console.error('usage: node client-test.mjs URL');
  process.exit(2);
}

const warnings = [];
const originalWarn = console.warn;
console.warn = (...args) => { warnings.push(args.join(' ')); originalWarn(...args); };

const client = new QdrantClient({ url, timeout: 20000 });
const name = 'js_client_' + Date.now();
const step = (label) => console.log('step: ' + label);

step('version check');
const versionInfo = await client.versionInfo();
assert.equal(versionInfo.title, 'qdrant - vector search engine');

step('create collection');
assert.equal(await client.createCollection(name, { vectors: { size: 4, distance: 'Dot' } }), true);
assert.equal((await client.collectionExists(name)).exists, true);
const names = (await client.getCollections()).collections.map((c) => c.name);
assert.ok(names.includes(name), 'listed: ' + names);

step('upsert');
const upsert = await client.upsert(name, {
  wait: true,
  points: [
    { id: 1, vector: [0.05, 0.61, 0.76, 0.74], payload: { city: 'Berlin' } },
    { id: 2, vector: [0.19, 0.81, 0.75, 0.11], payload: { city: 'London' } },
    { id: 3, vector: [0.36, 0.55, 0.47, 0.94], payload: { city: 'Moscow' } },
    { id: 4, vector: [0.18, 0.01, 0.85, 0.80], payload: { city: 'New York' } },
    { id: 5, vector: [0.24, 0.18, 0.22, 0.44], payload: { city: 'Beijing' } },
    { id: 6, vector: [0.35, 0.08, 0.11, 0.44], payload: { city: 'Mumbai' } },
  ],
});
assert.equal(upsert.status, 'completed');

step('collection info');
const info = await client.getCollection(name);
assert.equal(info.points_count, 6);
assert.equal(info.config.params.vectors.size, 4);

step('search with filter');
const hits = await client.search(name, {
  vector: [0.2, 0.1, 0.9, 0.7],
  filter: { must: [{ key: 'city', match: { value: 'London' } }] },
  with_payload: true,
  limit: 3,
});
assert.deepEqual(hits.map((h) => h.id), [2]);
assert.equal(hits[0].payload.city, 'London');

step('search');
const top = await client.search(name, { vector: [0.2, 0.1, 0.9, 0.7], limit: 3 });
assert.deepEqual(top.map((h) => h.id), [4, 1, 3]);

step('query');
const query = await client.query(name, { query: [0.2, 0.1, 0.9, 0.7], limit: 3, with_payload: true });
assert.deepEqual(query.points.map((p) => p.id), [4, 1, 3]);
assert.equal(query.points[0].payload.city, 'New York');

step('scroll');
const page = await client.scroll(name, { limit: 4, with_payload: false });
assert.deepEqual(page.points.map((p) => p.id), [1, 2, 3, 4]);
assert.equal(page.next_page_offset, 5);

step('count');
assert.equal((await client.count(name, { exact: true })).count, 6);
assert.equal((await client.count(name, {
  filter: { should: [{ key: 'city', match: { any: ['Berlin', 'Mumbai'] } }] },
})).count, 2);

step('delete');
const deleted = await client.delete(name, { wait: true, points: [1, 2] });
assert.equal(deleted.status, 'completed');
assert.equal((await client.count(name)).count, 4);
assert.deepEqual((await client.retrieve(name, { ids: [1, 3] })).map((p) => p.id), [3]);

step('snapshot');
const snapshot = await client.createSnapshot(name);
assert.ok(snapshot.name.endsWith('.snapshot'), JSON.stringify(snapshot));
const snapshots = await client.listSnapshots(name);
assert.ok(snapshots.some((s) => s.name === snapshot.name), JSON.stringify(snapshots));

step('aliases');
const alias = name + '_alias';
assert.equal(await client.updateCollectionAliases({
  actions: [{ create_alias: { collection_name: name, alias_name: alias } }],
}), true);
assert.deepEqual((await client.getCollectionAliases(name)).aliases, [{ alias_name: alias, collection_name: name }]);
assert.ok((await client.getAliases()).aliases.some((a) => a.alias_name === alias), 'alias listed');
assert.equal((await client.count(alias)).count, 4);

step('errors');
await assert.rejects(client.getCollection('no_such_collection_' + Date.now()), (e) => e.status === 404);
await assert.rejects(client.upsert(name, { wait: true, points: [{ id: 9, vector: [1, 2, 3] }] }), (e) => e.status === 400);

step('named vector');
const named = name + '_named';
assert.equal(await client.createCollection(named, { vectors: { image: { size: 3, distance: 'Euclid' } } }), true);
assert.equal((await client.getCollection(named)).config.params.vectors.image.size, 3);
await client.upsert(named, {
  wait: true,
  points: [
    { id: 1, vector: { image: [0, 0, 1] }, payload: { n: 1 } },
    { id: 2, vector: { image: [0, 1, 0] }, payload: { n: 2 } },
    { id: 3, vector: { image: [1, 0, 0] }, payload: { n: 3 } },
  ],
});
const namedHits = await client.query(named, { query: [0.9, 0.1, 0], using: 'image', limit: 2, with_vector: true });
assert.deepEqual(namedHits.points.map((p) => p.id), [3, 2]);
assert.deepEqual(namedHits.points[0].vector, { image: [1, 0, 0] });
const namedSearch = await client.search(named, { vector: { name: 'image', vector: [0, 0.2, 0.9] }, limit: 1 });
assert.deepEqual(namedSearch.map((h) => h.id), [1]);
await assert.rejects(client.query(named, { query: [1, 0, 0], limit: 1 }), (e) => e.status === 400);
assert.equal(await client.deleteCollection(named), true);

step('quantization');
const quantized = name + '_bq';
assert.equal(await client.createCollection(quantized, {
  vectors: { size: 4, distance: 'Cosine' },
  quantization_config: { binary: { always_ram: true, encoding: 'two_bits', query_encoding: 'scalar8bits' } },
}), true);
assert.deepEqual((await client.getCollection(quantized)).config.quantization_config,
  { binary: { always_ram: true, encoding: 'two_bits', query_encoding: 'scalar8bits' } });
assert.equal(await client.updateCollection(quantized, {
  quantization_config: { product: { compression: 'x16', always_ram: false } },
}), true);
assert.deepEqual((await client.getCollection(quantized)).config.quantization_config,
  { product: { compression: 'x16', always_ram: false } });
await client.upsert(quantized, {
  wait: true,
  points: [
    { id: 1, vector: [1, 0, 0, 0] },
    { id: 2, vector: [0, 1, 0, 0] },
    { id: 3, vector: [0.9, 0.1, 0, 0] },
  ],
});
const rescored = await client.query(quantized, {
  query: [1, 0.05, 0, 0], limit: 2, params: { quantization: { rescore: true, oversampling: 2.0 } },
});
assert.deepEqual(rescored.points.map((p) => p.id), [1, 3]);
assert.equal(await client.updateCollection(quantized, { quantization_config: 'Disabled' }), true);
assert.equal((await client.getCollection(quantized)).config.quantization_config, null);
assert.equal(await client.deleteCollection(quantized), true);

step('delete collection');
assert.equal(await client.deleteCollection(name), true);
assert.equal((await client.collectionExists(name)).exists, false);
assert.ok(!(await client.getAliases()).aliases.some((a) => a.alias_name === alias), 'alias dropped with its collection');

const incompatible = warnings.filter((w) => w.includes('incompatible') || w.includes('Unable to check'));
assert.deepEqual(incompatible, [], 'client version check warned');
console.log('js client test passed');
