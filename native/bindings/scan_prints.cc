// scanPrints(data, bounds, first, out) -> number of records read (see core/print_scanner.h)
//   data:   Uint8Array, an inflated part
//   bounds: Uint32Array, [start, end) per record (inflateSection's bounds)
//   first:  index of the first record to read
//   out:    Float64Array, core/print_scanner.h kScanFields numbers per record; its length bounds
//           how many records are read
#include "../core/print_scanner.h"
#include "bindings.h"

namespace auditcast {

namespace {

bool IsTyped(const Napi::Value& value, napi_typedarray_type type) {
  return value.IsTypedArray() && value.As<Napi::TypedArray>().TypedArrayType() == type;
}

Napi::Value ScanPrintsOp(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Uint8Array data;
  double first;
  if (!GetBytes(info, 0, "data", &data)) return env.Undefined();
  if (!IsTyped(info[1], napi_uint32_array)) {
    Napi::TypeError::New(env, "bounds must be a Uint32Array").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (!GetSize(info, 2, "first", &first)) return env.Undefined();
  if (!IsTyped(info[3], napi_float64_array)) {
    Napi::TypeError::New(env, "out must be a Float64Array").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Uint32Array bounds = info[1].As<Napi::Uint32Array>();
  Napi::Float64Array out = info[3].As<Napi::Float64Array>();
  size_t records = bounds.ElementLength() / 2;
  size_t from = first < static_cast<double>(records) ? static_cast<size_t>(first) : records;
  size_t read = ScanPrints(data.Data(), data.ByteLength(), bounds.Data(), records, from, out.Data(),
                           out.ElementLength() / kScanFields);
  return Napi::Number::New(env, static_cast<double>(read));
}

}  // namespace

void InitScanPrints(Napi::Env env, Napi::Object exports) {
  exports.Set("scanPrints", Napi::Function::New(env, ScanPrintsOp, "scanPrints"));
}

}  // namespace auditcast
