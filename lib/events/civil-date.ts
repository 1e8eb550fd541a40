// Proleptic Gregorian calendar arithmetic on plain integers (Howard Hinnant's days_from_civil and
// civil_from_days), exact for every day a safe-integer count of seconds reaches. A JS Date only
// covers +-100,000,000 days around 1970; Go's time.Time (and so Teleport) holds any int64 second,
// and times beyond Date's range must still print as dates, never as NaN.

const DAYS_PER_ERA = 146_097; // 400 years

function floorDiv(a: number, b: number): number {
  return Math.floor(a / b);
}

export interface CivilDate {
  year: number;
  /** 1..12 */
  month: number;
  /** 1..31 */
  day: number;
}

/** The date `days` after 1970-01-01. */
export function civilFromDays(days: number): CivilDate {
  const z = days + 719_468; // days since 0000-03-01
  const era = floorDiv(z, DAYS_PER_ERA);
  const doe = z - era * DAYS_PER_ERA; // [0, 146096]
  const yoe = floorDiv(doe - floorDiv(doe, 1460) + floorDiv(doe, 36_524) - floorDiv(doe, 146_096), 365); // [0, 399]
  const doy = doe - (365 * yoe + floorDiv(yoe, 4) - floorDiv(yoe, 100)); // [0, 365]
  const mp = floorDiv(5 * doy + 2, 153); // March = 0
  const day = doy - floorDiv(153 * mp + 2, 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** Days from 1970-01-01 to the date (month 1..12; out-of-range days roll over as in Date.UTC). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = floorDiv(y, 400);
  const yoe = y - era * 400;
  const mp = month > 2 ? month - 3 : month + 9;
  const doy = floorDiv(153 * mp + 2, 5) + day - 1;
  const doe = yoe * 365 + floorDiv(yoe, 4) - floorDiv(yoe, 100) + doy;
  return era * DAYS_PER_ERA + doe - 719_468;
}
