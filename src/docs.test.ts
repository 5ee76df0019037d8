import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { demoAccounts } from './demo/demo.seed.js';

const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');

/** README is what a newcomer trusts first: its commands and accounts must exist. */
describe('README', () => {
  const readme = read('README.md');
  const scripts = Object.keys(JSON.parse(read('package.json')).scripts);

  it('gives the two commands of CONTRACTS.md', () => {
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm test');
  });

  it('mentions only npm scripts that exist', () => {
    for (const [, name] of readme.matchAll(/npm run ([\w:-]+)/g)) expect(scripts, name).toContain(name);
  });

  it('lists every demo account with its password', () => {
    for (const a of demoAccounts) expect(readme, a.username).toContain(`\`${a.username}\``);
    expect(readme).toContain(demoAccounts[0].password);
  });
});
