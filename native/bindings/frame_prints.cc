// framePrints(data, numbers, strings[, ends]) -> Buffer of framed SessionPrint records | {status, event, field, value}
//   data:    Uint8Array, every print's Data back to back
//   numbers: Float64Array, 8 per print (core/print_framer.h PrintField order)
//   strings: [type, id, code, clusterName], shared by every print
//   ends:    optional Uint32Array (one entry per print at least): where each record ends
#include "../core/print_framer.h"
#include "bindings.h"

namespace auditcast {

namespace {

Napi::Value FramePrintsOp(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Uint8Array data;
  if (!GetBytes(info, 0, "data", &data)) return env.Undefined();
  if (!info[1].IsTypedArray() || info[1].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array) {
    Napi::TypeError::New(env, "numbers must be a Float64Array").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Float64Array numbers = info[1].As<Napi::Float64Array>();
  if (numbers.ElementLength() % kPrintFields != 0) {
    Napi::TypeError::New(env, "numbers must hold 8 numbers per print").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (!info[2].IsArray() || info[2].As<Napi::Array>().Length() != 4) {
    Napi::TypeError::New(env, "strings must be [type, id, code, clusterName]").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Array list = info[2].As<Napi::Array>();
  std::string* fields[4];
  PrintStrings strings;
  fields[0] = &strings.type;
  fields[1] = &strings.id;
  fields[2] = &strings.code;
  fields[3] = &strings.cluster_name;
  for (uint32_t i = 0; i < 4; i++) {
    Napi::Value v = list.Get(i);
    if (!v.IsString()) {
      Napi::TypeError::New(env, "strings must be [type, id, code, clusterName]").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    *fields[i] = v.As<Napi::String>().Utf8Value();
  }
  size_t count = numbers.ElementLength() / kPrintFields;
  uint32_t* ends = nullptr;
  if (info.Length() > 3 && !info[3].IsUndefined()) {
    if (!info[3].IsTypedArray() || info[3].As<Napi::TypedArray>().TypedArrayType() != napi_uint32_array ||
        info[3].As<Napi::Uint32Array>().ElementLength() < count) {
      Napi::TypeError::New(env, "ends must be a Uint32Array with an entry per print").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    ends = info[3].As<Napi::Uint32Array>().Data();
  }
  PrintResult r = MeasurePrints(numbers.Data(), count, data.ByteLength(), strings);
  if (r.status != kPrintOk) {
    Napi::Object out = Napi::Object::New(env);
    out.Set("status", Napi::Number::New(env, r.status));
    out.Set("event", Napi::Number::New(env, static_cast<double>(r.event)));
    out.Set("field", Napi::Number::New(env, r.field));
    out.Set("value", Napi::Number::New(env, r.value));
    return out;
  }
  Napi::Buffer<uint8_t> out = Napi::Buffer<uint8_t>::New(env, r.framed_size);
  if (env.IsExceptionPending()) return env.Undefined();
  FramePrints(data.Data(), numbers.Data(), count, strings, out.Data(), ends);
  return out;
}

}  // namespace

void InitFramePrints(Napi::Env env, Napi::Object exports) {
  exports.Set("framePrints", Napi::Function::New(env, FramePrintsOp, "framePrints"));
}

}  // namespace auditcast
