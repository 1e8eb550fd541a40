// Teleport's filesessions.NewStreamer: record sessions to local disk first (async recording modes).
// A ProtoStreamer on a FileUploader rooted at the scan dir, cutting 128 KiB parts; a completed
// session becomes <dir>/<sid>.tar, which the AsyncUploader then sends upstream.
import { ProtoStreamer, type ProtoStreamerOptions } from '../stream/proto-streamer.js';
import { FILE_MIN_UPLOAD_BYTES, FileUploader, type FileUploaderOptions } from './file-uploader.js';

export interface FileStreamerOptions extends Omit<ProtoStreamerOptions, 'uploader'> {
  /** The scan dir (Teleport: <data_dir>/log/upload/streaming/default). */
  directory: string;
  /** Options of the FileUploader underneath (other than the directory). */
  fileUploader?: Omit<FileUploaderOptions, 'directory' | 'minUploadBytes'>;
}

export function newFileStreamer(options: FileStreamerOptions): { streamer: ProtoStreamer; uploader: FileUploader } {
  const { directory, fileUploader, ...streamerOptions } = options;
  const minUploadBytes = streamerOptions.minUploadBytes ?? FILE_MIN_UPLOAD_BYTES;
  const uploader = new FileUploader({ ...fileUploader, directory, minUploadBytes });
  const streamer = new ProtoStreamer({ ...streamerOptions, uploader, minUploadBytes });
  return { streamer, uploader };
}
