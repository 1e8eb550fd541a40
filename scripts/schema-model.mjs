// The schema model behind gen-proto.mjs: reads the facts JSON into one normalised form and renders
// it as a .proto file and as our TypeScript descriptor table. Kept apart from the CLI script so the
// drift test can rebuild both in memory and compare them with what is committed.

// Types the facts file references but does not define (they live in Teleport's other proto packages).
// Field numbers and JSON tags from Teleport's public api/types/types.proto and wrappers.proto.
const SUPPLEMENT_MESSAGES = {
  LockTarget: [
    [1, 'User', 'string', 'user,omitempty'],
    [2, 'Role', 'string', 'role,omitempty'],
    [3, 'Login', 'string', 'login,omitempty'],
    [4, 'Node', 'string', 'node,omitempty'],
    [5, 'MFADevice', 'string', 'mfa_device,omitempty'],
    [6, 'WindowsDesktop', 'string', 'windows_desktop,omitempty'],
    [7, 'AccessRequest', 'string', 'access_request,omitempty'],
    [8, 'Device', 'string', 'device,omitempty'],
    [9, 'ServerID', 'string', 'server_id,omitempty'],
  ],
};

// Enums named by newer fields (events-schema.md, "Enums").
const SUPPLEMENT_ENUMS = {
  UserKind: [['USER_KIND_UNSPECIFIED', 0], ['USER_KIND_HUMAN', 1], ['USER_KIND_BOT', 2], ['USER_KIND_SYSTEM', 3]],
  UserOrigin: [
    ['USER_ORIGIN_UNSPECIFIED', 0], ['USER_ORIGIN_LOCAL', 1], ['USER_ORIGIN_SSO', 2],
    ['USER_ORIGIN_OKTA', 3], ['USER_ORIGIN_SCIM', 4], ['USER_ORIGIN_ENTRAID', 5],
  ],
};

export const FLAG_REPEATED = 1;
export const FLAG_EMBED = 2;
export const FLAG_NON_NULL = 4;
export const FLAG_NEWER = 8;

const SCALARS = new Set(['string', 'bytes', 'bool', 'int32', 'int64', 'uint32', 'uint64', 'double']);

/** Resolve a type name the way protoc does: innermost scope of `scope` first. */
function resolve(name, scope, known) {
  const bare = name.replace(/^events\./, '');
  const parts = scope.split('.');
  for (let i = parts.length; i >= 0; i--) {
    const candidate = [...parts.slice(0, i), bare].join('.');
    if (known.has(candidate)) return candidate;
  }
  return null;
}

function classify(type, scope, messageNames, enumNames) {
  if (SCALARS.has(type)) return { kind: type, ref: null };
  if (type === 'map<string, string>') return { kind: 'map', ref: null };
  if (type === 'google.protobuf.Timestamp') return { kind: 'timestamp', ref: null };
  if (type === 'google.protobuf.Struct') return { kind: 'struct', ref: null };
  if (type === 'google.protobuf.UInt32Value') return { kind: 'uint32value', ref: null };
  if (type === 'google.protobuf.UInt64Value') return { kind: 'uint64value', ref: null };
  if (type === 'wrappers.LabelValues') return { kind: 'traits', ref: null };
  const bare = type.replace(/^types\./, '').replace(/^enum /, '');
  const message = resolve(bare, scope, messageNames);
  if (message) return { kind: 'message', ref: message };
  const en = resolve(bare, scope, enumNames);
  if (en) return { kind: 'enum', ref: en };
  // A message this schema does not describe: kept as raw bytes (same wire type, lossless).
  return { kind: 'raw', ref: bare };
}

function defaultJsonTag(name) {
  return `${name},omitempty`;
}

/** Builds { messages: Map<name, field[]>, enums: Map<name, [label, number][]>, oneof: entry[] }. */
export function buildSchema(facts, typeTable) {
  const messageNames = new Set([...Object.keys(facts.messages), ...Object.keys(SUPPLEMENT_MESSAGES)]);
  const enums = new Map([...Object.entries(facts.enums), ...Object.entries(SUPPLEMENT_ENUMS)]);
  const enumNames = new Set(enums.keys());
  const messages = new Map();

  for (const [name, fields] of Object.entries(facts.messages)) {
    if (name === 'OneOf') continue;
    const out = [];
    for (const f of fields) {
      const opts = f.opts ?? {};
      const { kind, ref } = classify(f.type, name, messageNames, enumNames);
      let flags = 0;
      if (f.label === 'repeated') flags |= FLAG_REPEATED;
      if (opts['(gogoproto.embed)'] === 'true') flags |= FLAG_EMBED;
      if (opts['(gogoproto.nullable)'] === 'false') flags |= FLAG_NON_NULL;
      let json = opts['(gogoproto.jsontag)'];
      if (json === undefined) {
        json = kind === 'timestamp' && (flags & FLAG_NON_NULL) ? f.name : defaultJsonTag(f.name);
      }
      // Every event's metadata is its embedded Metadata field, which Go names after its type
      // whatever the proto calls it (DeviceEvent's is `metadata`): one name for readers and writers.
      // jsName is the property of our objects; name stays the proto's (events.proto).
      const jsName = kind === 'message' && ref === 'Metadata' && (flags & FLAG_EMBED) ? 'Metadata' : f.name;
      out.push({ no: f.num, name: f.name, jsName, kind, ref, flags, json, protoType: f.type });
    }
    messages.set(name, out);
  }
  for (const [name, fields] of Object.entries(SUPPLEMENT_MESSAGES)) {
    messages.set(name, fields.map(([no, fname, type, json]) => ({ no, name: fname, kind: type, ref: null, flags: 0, json, protoType: type })));
  }

  for (const [name, added] of Object.entries(facts.newer_fields ?? {})) {
    const fields = messages.get(name);
    if (!fields) throw new Error(`newer_fields names unknown message ${name}`);
    for (const [no, fname, typeText, jsonText, optText] of added) {
      let type = typeText;
      let flags = FLAG_NEWER;
      if (type.startsWith('repeated ')) { flags |= FLAG_REPEATED; type = type.slice('repeated '.length); }
      if (/\bembed\b/.test(optText)) flags |= FLAG_EMBED;
      if (/nullable=false/.test(optText)) flags |= FLAG_NON_NULL;
      let json = jsonText.startsWith('""') ? '' : jsonText.replace(/^\(default\) /, '');
      const { kind, ref } = classify(type, name, messageNames, enumNames);
      if (fields.some((f) => f.no === no)) throw new Error(`${name}.${fname}: field ${no} already defined`);
      fields.push({ no, name: fname, kind, ref, flags, json, protoType: type });
    }
    fields.sort((a, b) => a.no - b.no);
  }

  const oneof = facts.oneof.map((o) => {
    const ref = resolve(o.type, '', messageNames);
    return { no: o.number, name: o.name, ref: ref && messages.has(ref) ? ref : null, since: o.since };
  });
  const eventTypes = (typeTable?.mapping ?? []).map(([type, constant, message]) => {
    if (!messages.has(message)) throw new Error(`event type ${type} maps to unknown message ${message}`);
    return { type, constant, message };
  });
  return { messages, enums, oneof, eventTypes };
}

// ---------------------------------------------------------------------------------------------
// .proto rendering

const PROTO_SCALAR = { string: 'string', bytes: 'bytes', bool: 'bool', int32: 'int32', int64: 'int64', uint32: 'uint32', uint64: 'uint64', double: 'double' };

function protoFieldType(f) {
  switch (f.kind) {
    case 'map': return 'map<string, string>';
    case 'timestamp': return 'google.protobuf.Timestamp';
    case 'struct': return 'google.protobuf.Struct';
    case 'uint32value': return 'google.protobuf.UInt32Value';
    case 'uint64value': return 'google.protobuf.UInt64Value';
    case 'traits': return 'LabelValues';
    case 'message': return f.ref;
    case 'enum': return f.ref;
    case 'raw': return 'bytes';
    default: return PROTO_SCALAR[f.kind];
  }
}

function protoComment(f) {
  const notes = [];
  notes.push(`json=${JSON.stringify(f.json)}`);
  if (f.flags & FLAG_EMBED) notes.push('embed');
  if (f.flags & FLAG_NON_NULL) notes.push('non-nullable');
  if (f.flags & FLAG_NEWER) notes.push('newer than v14');
  if (f.kind === 'raw') notes.push(`message ${f.ref} not described by the facts; kept as bytes`);
  return notes.join(', ');
}

export function renderProto(schema) {
  const lines = [];
  lines.push('// Generated by scripts/gen-proto.mjs from ../shared/spec/teleport-events-schema.json. Do not edit.');
  lines.push("// Field numbers are Teleport's (api/proto/teleport/legacy/types/events/events.proto); gogoproto");
  lines.push('// options are given as comments. Nested names are flattened with "_" so every type is top level.');
  lines.push('syntax = "proto3";');
  lines.push('package events;');
  lines.push('');
  lines.push('import "google/protobuf/timestamp.proto";');
  lines.push('import "google/protobuf/struct.proto";');
  lines.push('import "google/protobuf/wrappers.proto";');
  lines.push('');
  const flat = (n) => n.replace(/\./g, '_');
  for (const [name, values] of schema.enums) {
    lines.push(`enum ${flat(name)} {`);
    for (const [label, value] of values) lines.push(`  ${flat(name).toUpperCase()}_${label} = ${value};`);
    lines.push('}');
    lines.push('');
  }
  lines.push('message StringValues { repeated string Values = 1; }');
  lines.push('message LabelValues { map<string, StringValues> Values = 1; }');
  lines.push('');
  for (const [name, fields] of schema.messages) {
    lines.push(`message ${flat(name)} {`);
    for (const f of fields) {
      const type = protoFieldType(f);
      const t = f.kind === 'message' || f.kind === 'enum' ? flat(type) : type;
      const label = f.flags & FLAG_REPEATED ? 'repeated ' : '';
      lines.push(`  ${label}${t} ${f.name} = ${f.no}; // ${protoComment(f)}`);
    }
    lines.push('}');
    lines.push('');
  }
  lines.push('message OneOf {');
  lines.push('  oneof Event {');
  for (const o of schema.oneof) {
    const t = o.ref ? flat(o.ref) : 'bytes';
    const note = o.ref ? '' : ' // message not described by the facts; kept as bytes';
    lines.push(`    ${t} ${o.name} = ${o.no};${note}`);
  }
  lines.push('  }');
  lines.push('}');
  lines.push('');
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Descriptor table rendering

export function renderDescriptors(schema) {
  const out = [];
  out.push('// Generated by scripts/gen-proto.mjs from ../shared/spec/teleport-events-schema.json. Do not edit.');
  out.push('// Field tuple: [number, name, kind, ref, flags, jsonTag]; flags: 1 repeated, 2 embed, 4 non-nullable, 8 newer than v14.');
  out.push("import type { SchemaTable } from './schema-types.js';");
  out.push('');
  out.push('export const schemaTable: SchemaTable = {');
  out.push('  messages: {');
  for (const [name, fields] of schema.messages) {
    const rows = fields.map((f) => `[${f.no}, ${JSON.stringify(f.jsName ?? f.name)}, ${JSON.stringify(f.kind)}, ${JSON.stringify(f.ref)}, ${f.flags}, ${JSON.stringify(f.json)}]`);
    out.push(`    ${JSON.stringify(name)}: [`);
    for (const r of rows) out.push(`      ${r},`);
    out.push('    ],');
  }
  out.push('  },');
  out.push('  enums: {');
  for (const [name, values] of schema.enums) {
    out.push(`    ${JSON.stringify(name)}: ${JSON.stringify(values)},`);
  }
  out.push('  },');
  out.push('  oneof: [');
  for (const o of schema.oneof) out.push(`    [${o.no}, ${JSON.stringify(o.name)}, ${JSON.stringify(o.ref)}],`);
  out.push('  ],');
  out.push('  eventTypes: [');
  for (const t of schema.eventTypes) out.push(`    [${JSON.stringify(t.type)}, ${JSON.stringify(t.constant)}, ${JSON.stringify(t.message)}],`);
  out.push('  ],');
  out.push('};');
  out.push('');
  return out.join('\n');
}
