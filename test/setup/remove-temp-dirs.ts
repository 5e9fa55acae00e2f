/** Setup file of every project: the folders a test file made with tempDir go when the file is done. */
import { afterAll } from 'vitest';
import { removeTempDirs } from '../helpers/temp-dirs.js';

afterAll(removeTempDirs);
