import { readFileSync } from 'node:fs';
import semver from 'semver';
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
    for (const [, name] of readme.matchAll(/npm run ([\w:-]+)/g))
      expect(scripts, name).toContain(name);
  });

  it('states a Node.js version that every installed package accepts', () => {
    const stated = readme.match(/Needs Node\.js (\d+\.\d+)\+/)?.[1];
    expect(stated, 'README names no Node.js version').toBeTruthy();
    const minimum = `${stated}.0`;
    expect(semver.satisfies(minimum, JSON.parse(read('package.json')).engines.node)).toBe(true);
    const lock = JSON.parse(read('package-lock.json')) as {
      packages: Record<string, { engines?: unknown }>;
    };
    const refusing = Object.entries(lock.packages)
      .filter(([, p]) => {
        const node = (p.engines as { node?: unknown } | undefined)?.node;
        return typeof node === 'string' && !semver.satisfies(minimum, node);
      })
      .map(([path, p]) => `${path} (${(p.engines as { node: string }).node})`);
    expect(refusing).toEqual([]);
  });

  it('lists every demo account with its password', () => {
    for (const a of demoAccounts) expect(readme, a.username).toContain(`\`${a.username}\``);
    expect(readme).toContain(demoAccounts[0].password);
  });
});
