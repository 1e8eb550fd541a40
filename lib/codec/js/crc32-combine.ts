// CRC-32 of two byte runs joined, from the CRC of each and the length of the second (zlib's
// crc32_combine, which node:zlib does not expose): lets chunks compressed on their own, each with
// its own CRC, make up one gzip member whose trailer holds the CRC of all of them.
const POLY = 0xedb88320;
const X_TO_THE_31 = 0x80000000;

/** a(x) * b(x) modulo the CRC polynomial (bit-reflected, as CRC-32 keeps its registers). */
function multModP(a: number, b: number): number {
  let m = X_TO_THE_31;
  let p = 0;
  for (;;) {
    if (a & m) {
      p ^= b;
      if ((a & (m - 1)) === 0) break;
    }
    m >>>= 1;
    b = b & 1 ? (b >>> 1) ^ POLY : b >>> 1;
  }
  return p >>> 0;
}

/** X2N[k] = x^(2^k) modulo the polynomial. */
const X2N: number[] = [];
for (let k = 0, p = X_TO_THE_31 >>> 1; k < 32; k++) {
  X2N.push(p);
  p = multModP(p, p);
}

/** x^(n * 2^k) modulo the polynomial. */
function x2nModP(n: number, k: number): number {
  let p = X_TO_THE_31;
  while (n > 0) {
    if (n % 2 === 1) p = multModP(X2N[k & 31], p);
    n = Math.floor(n / 2);
    k++;
  }
  return p;
}

/** The CRC-32 of A followed by B, given crc(A), crc(B) and B's length. */
export function crc32Combine(crcA: number, crcB: number, lengthB: number): number {
  return (multModP(x2nModP(lengthB, 3), crcA >>> 0) ^ crcB) >>> 0;
}
