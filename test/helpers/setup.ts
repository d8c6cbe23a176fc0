/**
 * Runs in every test file before its tests: directories made with tempDir() are removed once the
 * file's own afterAll hooks (which stop its servers) have run.
 */
import { afterAll } from 'vitest';
import { removeTempDirs } from './server';

afterAll(removeTempDirs);
