// How deep a dynamic value (google.protobuf.Struct / ListValue, an event's JSON) may nest. Every
// recursive walk over such values checks it, so a hostile recording or event fails with a coded
// error instead of a RangeError from the call stack. 100 is protobuf's default recursion limit (C++,
// protobuf-es); Teleport's values (identity attributes, annotations, query bodies) are a few deep.
import { limitExceeded } from '../errors.js';

export const MAX_NESTING_DEPTH = 100;
/** JSON walks cover a whole event (or EventFields) around its Structs, hence the headroom. */
export const MAX_JSON_DEPTH = 2 * MAX_NESTING_DEPTH;

/** Throws LIMIT_EXCEEDED when `depth` (1 for a top-level object) is past `limit`. */
export function checkNestingDepth(depth: number, where: string, limit = MAX_NESTING_DEPTH): void {
  if (depth > limit) throw limitExceeded(`${where}: value nested deeper than ${limit} levels`);
}
