/**
 * `npm run security:tamper`: runs the randomized tamper campaign (src/test-support/tamper-campaign.ts)
 * on PGlite, and on PostgreSQL when TEST_DATABASE_URL is set, and writes its figures into
 * docs/security.md between the tamper-report markers. TAMPER_TRIALS (default 260) per database.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { checkpointKeyFromEnv } from '../src/platform/audit/checkpoint-key.js';
import { createTestDatabase, loadRegions, testDatabaseModes } from '../src/test-support/db.js';
import {
  attackDescriptions,
  attackKinds,
  buildTamperFixture,
  type CampaignResult,
  runCampaign,
} from '../src/test-support/tamper-campaign.js';

const trials = Number(process.env.TAMPER_TRIALS ?? 260);
const seed = Number(process.env.TAMPER_SEED ?? 20261112);
const key = checkpointKeyFromEnv();
const results: [string, CampaignResult][] = [];
for (const mode of testDatabaseModes) {
  const t = await createTestDatabase(mode);
  try {
    await loadRegions(t.db);
    const fixture = await buildTamperFixture(t.db, key);
    const r = await runCampaign(t.db, fixture, key, { trials, seed });
    process.stdout.write(`${mode}: ${r.detected}/${r.trials} detected\n`);
    results.push([mode === 'pglite' ? 'PGlite' : 'PostgreSQL', r]);
  } finally {
    await t.close();
  }
}

const pct = (a: number, b: number) => (b === 0 ? '—' : `${((100 * a) / b).toFixed(0)}%`);
const lines = [
  `Last run: ${new Date().toISOString().slice(0, 10)}, seed ${seed}, ${trials} attacks per database` +
    ` (${results.map(([m]) => m).join(' and ')}).`,
  '',
  `| attack | ${results.map(([m]) => `${m} detected`).join(' | ')} |`,
  `|---|${results.map(() => '---').join('|')}|`,
  ...attackKinds.map(
    (k) =>
      `| ${attackDescriptions[k]} | ${results
        .map(([, r]) => `${r.byKind[k].detected}/${r.byKind[k].trials}`)
        .join(' | ')} |`,
  ),
  `| **all** | ${results.map(([, r]) => `**${r.detected}/${r.trials} (${pct(r.detected, r.trials)})**`).join(' | ')} |`,
];
const file = new URL('../docs/security.md', import.meta.url);
const doc = readFileSync(file, 'utf8');
const begin = '<!-- tamper-report:begin -->';
const end = '<!-- tamper-report:end -->';
const i = doc.indexOf(begin);
const j = doc.indexOf(end);
if (i < 0 || j < i) throw new Error('docs/security.md has no tamper-report markers');
writeFileSync(file, `${doc.slice(0, i + begin.length)}\n${lines.join('\n')}\n${doc.slice(j)}`);
process.stdout.write('docs/security.md updated\n');
if (results.some(([, r]) => r.missed.length > 0)) process.exitCode = 1;
