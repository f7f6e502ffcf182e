import { describeProjectStore } from './contract.js';
import { MemoryProjectStore } from './memory.js';

describeProjectStore('memory', (options) => new MemoryProjectStore(options?.repeatEvery, options?.goldEvery));
