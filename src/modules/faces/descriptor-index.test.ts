import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import wabtInit from 'wabt';
import { DescriptorIndex } from './descriptor-index.js';
import { descriptorScanWasm } from './descriptor-scan.wasm.js';
import { similarity } from './faces.rules.js';

describe('DescriptorIndex', () => {
  it('finds exactly what a plain cosine scan finds, best first, for any dimension', () => {
    // 13 and 17 need padding to the kernel's 16-float step; 32 does not.
    for (const dim of [13, 17, 32]) {
      const vec = fc.array(fc.float({ min: -1, max: 1, noNaN: true }), {
        minLength: dim,
        maxLength: dim,
      });
      fc.assert(
        fc.property(
          fc.array(vec, { minLength: 1, maxLength: 40 }),
          vec,
          fc.double({ min: -0.5, max: 0.95, noNaN: true }),
          (gallery, probe, threshold) => {
            const index = new DescriptorIndex(dim, gallery.length);
            for (const [i, g] of gallery.entries()) index.add(`p${i}`, g);
            const got = index.search(probe, threshold);
            const want = gallery
              .map((g, i) => ({ id: `p${i}`, score: similarity(g, probe) }))
              .filter((h) => h.score >= threshold + 1e-5);
            for (const w of want) expect(got.map((g) => g.id)).toContain(w.id);
            for (const g of got)
              expect(g.score).toBeCloseTo(similarity(gallery[Number(g.id.slice(1))], probe), 4);
            for (let i = 1; i < got.length; i++)
              expect(got[i - 1].score).toBeGreaterThanOrEqual(got[i].score);
          },
        ),
        { numRuns: 100 },
      );
    }
  });

  it('scores 1024-dimensional descriptors as a float64 cosine does, to 1e-5', () => {
    let seed = 7;
    const next = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 4294967296 - 0.5;
    };
    const gallery = Array.from({ length: 500 }, () => Float32Array.from({ length: 1024 }, next));
    const probe = gallery[42].map((x) => x + 0.2 * next());
    const index = new DescriptorIndex(1024, gallery.length);
    for (const [i, g] of gallery.entries()) index.add(String(i), g);
    const got = index.search(probe, -1);
    expect(got).toHaveLength(500);
    expect(got[0].id).toBe('42');
    for (const g of got)
      expect(Math.abs(g.score - similarity(gallery[Number(g.id)], probe))).toBeLessThan(1e-5);
  });

  it('refuses more descriptors than it was made for', () => {
    const index = new DescriptorIndex(4, 1);
    index.add('a', [1, 0, 0, 0]);
    expect(() => index.add('b', [0, 1, 0, 0])).toThrow(/full/);
  });

  it('runs the committed compilation of descriptor-scan.wat (else: npm run build:wasm)', async () => {
    const source = new URL('./descriptor-scan.wat', import.meta.url);
    const wabt = await wabtInit();
    const { buffer } = wabt
      .parseWat('descriptor-scan.wat', readFileSync(source, 'utf8'), { simd: true })
      .toBinary({});
    expect(descriptorScanWasm).toBe(Buffer.from(buffer).toString('base64'));
  });
});
