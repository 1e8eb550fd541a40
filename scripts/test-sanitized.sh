#!/usr/bin/env bash
# Builds the addon with AddressSanitizer + UndefinedBehaviorSanitizer, runs the codec and stream
# tests on it, then rebuilds the normal -O3 addon (also when the tests fail). Linux + gcc only.
# Usage: scripts/test-sanitized.sh [vitest paths...]   (default: test/codec test/stream)
set -uo pipefail
cd "$(dirname "$0")/.."
paths=("$@")
[ ${#paths[@]} -eq 0 ] && paths=(test/codec test/stream)

AUDITCAST_SANITIZE=1 npx node-gyp rebuild >/dev/null 2>&1 || { echo "sanitizer build failed"; exit 1; }
if [ "$(nm -D build/Release/auditcast.node | grep -c __ubsan_handle)" -eq 0 ]; then
  echo "the addon is not instrumented"; npx node-gyp rebuild >/dev/null 2>&1; exit 1
fi
status=0
LD_PRELOAD="$(gcc -print-file-name=libasan.so):$(gcc -print-file-name=libubsan.so)" \
ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:halt_on_error=1 \
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  npx vitest run "${paths[@]}" || status=1
npx node-gyp rebuild >/dev/null 2>&1 || status=1
exit $status
