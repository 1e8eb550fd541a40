// The event catalogue: every event type and code of the seed, which OneOf message carries each
// type (Teleport's FromEventFields table), which type each code is emitted with, and the severity
// a code's suffix gives (I info, W warning, E error).
import * as constants from './constants.generated.js';
import { oneofByMessage, typeToMessage } from './event.js';
import { schemaTable } from './schema.generated.js';

export type Severity = 'info' | 'warning' | 'error';

export interface EventTypeInfo {
  /** The type string (Metadata.Type, JSON `event`). */
  readonly type: string;
  /** The seed's constant name (SessionStartEvent). */
  readonly name: string;
  /** The protobuf message Teleport decodes this type into, when it has one. */
  readonly message: string | undefined;
  /** The OneOf field number of that message. */
  readonly oneof: number | undefined;
  /** Codes emitted with this type, in seed order. */
  readonly codes: readonly string[];
}

export interface EventCodeInfo {
  readonly code: string;
  /** The seed's constant name (SessionStartCode). */
  readonly name: string;
  /** The event type this code is emitted with. */
  readonly type: string | undefined;
  readonly severity: Severity;
}

const SEVERITY: Readonly<Record<string, Severity>> = { I: 'info', W: 'warning', E: 'error' };

/** Severity from a code's last letter; undefined when it is not I, W or E. */
export function severityOfCode(code: string): Severity | undefined {
  return SEVERITY[code.slice(-1)];
}

const values = constants as unknown as Record<string, string>;

function buildCatalogue() {
  const typeNames = new Map<string, string>();
  for (const name of constants.eventTypeConstantNames) {
    const type = values[name];
    if (!typeNames.has(type)) typeNames.set(type, name);
  }
  for (const [type, name] of schemaTable.eventTypes) if (!typeNames.has(type)) typeNames.set(type, name);

  const codes = new Map<string, EventCodeInfo>();
  const codesByType = new Map<string, string[]>();
  for (const name of constants.eventCodeConstantNames) {
    const code = values[name];
    if (codes.has(code)) continue;
    const typeConstant = constants.codeTypeConstants[name];
    const type = typeConstant === undefined ? undefined : values[typeConstant];
    codes.set(code, Object.freeze({ code, name, type, severity: severityOfCode(code) ?? 'info' }));
    if (type !== undefined) {
      const list = codesByType.get(type) ?? [];
      list.push(code);
      codesByType.set(type, list);
    }
  }

  const types = new Map<string, EventTypeInfo>();
  for (const [type, name] of typeNames) {
    const message = typeToMessage.get(type);
    types.set(type, Object.freeze({
      type,
      name,
      message,
      oneof: message === undefined ? undefined : oneofByMessage.get(message),
      codes: Object.freeze(codesByType.get(type) ?? []),
    }));
  }
  return { types, codes };
}

const built = buildCatalogue();

export const eventCatalogue = {
  /** Every event type string -> its entry. */
  types: built.types as ReadonlyMap<string, EventTypeInfo>,
  /** Every event code -> its entry. */
  codes: built.codes as ReadonlyMap<string, EventCodeInfo>,
  hasType(type: string): boolean {
    return built.types.has(type);
  },
  hasCode(code: string): boolean {
    return built.codes.has(code);
  },
  /** The event type a code is emitted with. */
  typeOfCode(code: string): string | undefined {
    return built.codes.get(code)?.type;
  },
  /** The codes emitted with a type (empty for print, desktop.recording and types without codes). */
  codesOfType(type: string): readonly string[] {
    return built.types.get(type)?.codes ?? [];
  },
  /** The protobuf message of a type string, as Teleport's FromEventFields picks it. */
  messageOfType(type: string): string | undefined {
    return typeToMessage.get(type);
  },
  /** The OneOf field number of a type string. */
  oneofOfType(type: string): number | undefined {
    const message = typeToMessage.get(type);
    return message === undefined ? undefined : oneofByMessage.get(message);
  },
  /** info / warning / error from the code's suffix. */
  severity(code: string): Severity | undefined {
    return severityOfCode(code);
  },
} as const;

export type EventCatalogue = typeof eventCatalogue;
