import { MemoryUploader } from '../../lib/uploads/memory-uploader.js';
import { uploaderObjectSuite } from './uploader-suite.js';

uploaderObjectSuite('MemoryUploader', async () => ({ uploader: new MemoryUploader() }), {
  completeTwice: 'succeeds',
  emptyCompleteLeavesNoObject: true,
});
