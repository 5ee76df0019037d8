import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DescriptorIndex, similarity } from './faces.rules.js';

describe('DescriptorIndex', () => {
  it('finds exactly what a plain cosine scan finds, best first', () => {
    const vec = fc.array(fc.float({ min: -1, max: 1, noNaN: true }), { minLength: 13, maxLength: 13 });
    fc.assert(
      fc.property(fc.array(vec, { minLength: 1, maxLength: 40 }), vec, fc.double({ min: -0.5, max: 0.95, noNaN: true }), (gallery, probe, threshold) => {
        const index = new DescriptorIndex(13, gallery.length);
        for (const [i, g] of gallery.entries()) index.add(`p${i}`, g);
        const got = index.search(probe, threshold);
        const want = gallery
          .map((g, i) => ({ id: `p${i}`, score: similarity(g, probe) }))
          .filter((h) => h.score >= threshold + 1e-5);
        for (const w of want) expect(got.map((g) => g.id)).toContain(w.id);
        for (const g of got) expect(g.score).toBeCloseTo(similarity(gallery[Number(g.id.slice(1))], probe), 4);
        for (let i = 1; i < got.length; i++) expect(got[i - 1].score).toBeGreaterThanOrEqual(got[i].score);
      }),
      { numRuns: 200 },
    );
  });
});
