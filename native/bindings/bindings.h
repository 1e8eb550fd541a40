// One Init function per exported operation; native/addon.cc calls them all.
#ifndef AUDITCAST_BINDINGS_H
#define AUDITCAST_BINDINGS_H

#include <napi.h>

namespace auditcast {

void InitPartEncoder(Napi::Env env, Napi::Object exports);
void InitInflateSection(Napi::Env env, Napi::Object exports);
void InitFramePrints(Napi::Env env, Napi::Object exports);
void InitDeflateChunk(Napi::Env env, Napi::Object exports);
void InitScanPrints(Napi::Env env, Napi::Object exports);
void InitPtyDrain(Napi::Env env, Napi::Object exports);

// Reads a Uint8Array (or Buffer) argument; throws a TypeError naming it and returns false otherwise.
bool GetBytes(const Napi::CallbackInfo& info, size_t index, const char* name, Napi::Uint8Array* out);
// Reads a non-negative integer argument (a double, exact up to 2^53).
bool GetSize(const Napi::CallbackInfo& info, size_t index, const char* name, double* out);

}  // namespace auditcast

#endif
