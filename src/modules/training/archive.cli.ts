import type { Executor } from '../../platform/db/database.js';
import { verifyArchiveByRef } from './archive.service.js';

/**
 * `zhenxun archive verify CLASS` (CLASS = class id or class code): recomputes a sealed class archive
 * from the database and compares it with its seal and the audit log. Exit 0 intact; 1 naming every
 * changed, added or removed record and every seal/audit mismatch; 2 usage, unknown or unsealed class.
 */
export async function runArchiveVerify(db: Executor, ref: string | undefined): Promise<number> {
  if (!ref) {
    process.stderr.write('usage: zhenxun archive verify CLASS   (the class id or class code)\n');
    return 2;
  }
  const found = await verifyArchiveByRef(db, ref);
  switch (found.outcome) {
    case 'not_found':
      process.stderr.write(`no class with id or code ${ref}\n`);
      return 2;
    case 'ambiguous':
      process.stderr.write(
        `class code ${ref} is used by ${found.classes.length} institutions; give the class id:\n`,
      );
      for (const c of found.classes)
        process.stderr.write(`  ${c.id}  ${c.code}  ${c.organizationName}\n`);
      return 2;
    case 'not_sealed':
      process.stderr.write(`class ${found.code} is not sealed: ${found.message}\n`);
      return 2;
    case 'verified':
      break;
  }
  const r = found.result;
  const head = `archive of class ${r.code} (${found.name}) sealed ${r.sealedAt ?? '?'} root ${r.root ?? '?'}`;
  if (r.ok) {
    process.stdout.write(
      `${head}\narchive intact: ${r.records} records match the seal and the audit log entry seq ${r.auditSeq}\n`,
    );
    return 0;
  }
  const lines = [
    ...r.changed.map((c) => `  changed  ${c.kind} ${c.id}${c.label ? ` ${c.label}` : ''}`),
    ...r.added.map(
      (c) => `  added    ${c.kind} ${c.id}${c.label ? ` ${c.label}` : ''} (after sealing)`,
    ),
    ...r.removed.map((c) => `  removed  ${c.kind} ${c.id}`),
    ...r.problems.map((p) => `  ${p.code}: ${p.message}`),
  ];
  process.stderr.write(
    `${head}\narchive CHANGED since sealing (${r.changed.length} changed, ${r.added.length} added, ${r.removed.length} removed, ${r.problems.length} seal problems):\n${lines.join('\n')}\n`,
  );
  return 1;
}
