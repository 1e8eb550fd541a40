#!/usr/bin/env node
// Generates the wire schema from ../shared/spec/teleport-events-schema.json (the facts file) and
// event-type-to-message.json beside it:
//   proto/events.proto              the schema as a .proto file (for protobufjs and for humans)
//   lib/events/schema.generated.ts  the descriptor table our own codec and JSON mapping run on
// Usage: node scripts/gen-proto.mjs [--check]   (--check exits 1 when the committed files differ)
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSchema, renderProto, renderDescriptors } from './schema-model.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const factsPath = process.env.AUDITCAST_SCHEMA_JSON ?? join(root, '..', 'shared', 'spec', 'teleport-events-schema.json');
const typesPath = join(dirname(factsPath), 'event-type-to-message.json');
const facts = JSON.parse(readFileSync(factsPath, 'utf8'));
const typeTable = JSON.parse(readFileSync(typesPath, 'utf8'));
const schema = buildSchema(facts, typeTable);

const outputs = [
  [join(root, 'proto', 'events.proto'), renderProto(schema)],
  [join(root, 'lib', 'events', 'schema.generated.ts'), renderDescriptors(schema)],
];

const check = process.argv.includes('--check');
let stale = 0;
for (const [path, text] of outputs) {
  if (check) {
    let current = '';
    try { current = readFileSync(path, 'utf8'); } catch { /* missing counts as stale */ }
    if (current !== text) { console.error(`stale: ${path}`); stale++; }
  } else {
    writeFileSync(path, text);
    console.log(`wrote ${path}`);
  }
}
process.exit(stale ? 1 : 0);
