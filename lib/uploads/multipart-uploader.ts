// The MultipartUploader interface lives with the stream writer that consumes it (lib/stream);
// uploaders implement it from here.
export * from '../stream/multipart-uploader.js';
