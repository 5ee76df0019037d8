import { readFile, writeFile } from 'node:fs/promises';
import type { Executor } from '../platform/db/database.js';
import { DomainError } from '../platform/errors.js';
import { exportBundle, importBundle } from './bundle.service.js';

/** `zhenxun import FILE`: prints every error as `section[index] ref field: message`; exit 1 when invalid. */
export async function runImport(db: Executor, file: string): Promise<number> {
  let input: unknown;
  try {
    input = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    process.stderr.write(`${file}: not readable JSON (${(e as Error).message})\n`);
    return 1;
  }
  try {
    const result = await importBundle(db, 'system:cli', input);
    process.stdout.write(
      `imported ${file}: created ${JSON.stringify(result.created)}, linked ${JSON.stringify(result.linked)}\n`,
    );
    return 0;
  } catch (e) {
    if (!(e instanceof DomainError)) throw e;
    process.stderr.write(`${e.message}\n`);
    for (const d of e.details) {
      process.stderr.write(
        `  ${d.section ?? ''}${d.index !== null && d.index !== undefined ? `[${d.index}]` : ''} ${d.ref ?? '-'} ${d.field}: ${d.message}\n`,
      );
    }
    return 1;
  }
}

export async function runExport(db: Executor, file?: string): Promise<number> {
  const text = `${JSON.stringify(await exportBundle(db, 'system:cli'), null, 2)}\n`;
  if (file) await writeFile(file, text);
  else process.stdout.write(text);
  return 0;
}
