#!/usr/bin/env node
// Runs the compiled CLI when it exists (after `npm run build`), otherwise the TypeScript source
// through tsx, so `npx zhenxun …` works both in a built checkout and during development.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const compiled = join(root, 'dist', 'main.js');
if (existsSync(compiled) && !process.env.ZHENXUN_FROM_SOURCE) {
  const { runCli } = await import(pathToFileURL(compiled).href);
  await runCli(process.argv.slice(2));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  const { runCli } = await import(pathToFileURL(join(root, 'src', 'main.ts')).href);
  await runCli(process.argv.slice(2));
}
