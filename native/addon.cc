// Registers the exported operations; each lives in its own file under native/bindings/.
#include <napi.h>

#include "bindings/bindings.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  auditcast::InitPartEncoder(env, exports);
  auditcast::InitInflateSection(env, exports);
  auditcast::InitFramePrints(env, exports);
  auditcast::InitDeflateChunk(env, exports);
  auditcast::InitScanPrints(env, exports);
  auditcast::InitPtyDrain(env, exports);
  exports.Set("abi", Napi::Number::New(env, 1));
  return exports;
}

}  // namespace

NODE_API_MODULE(auditcast, Init)
