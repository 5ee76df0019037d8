/**
 * npm run bench:faces — model load, detect+embed per frame on one core, 1:N brute force over 10^5
 * templates, and the evaluation distributions reported in docs/faces.md. Writes bench/results/faces.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { detectFaces, encodeJpeg, decodeJpeg, loadFaceEngine, type RgbImage } from '../src/modules/faces/face-engine.js';
import { DescriptorIndex, similarity } from '../src/modules/faces/faces.rules.js';
import { sampleFace } from '../src/modules/faces/faces.test-images.js';
import { adjust, resize, rotate, simulatePrint } from '../src/modules/faces/image-ops.js';

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const summary = (xs: number[]) => ({ n: xs.length, min: quantile(xs, 0), p1: quantile(xs, 0.01), p5: quantile(xs, 0.05), median: quantile(xs, 0.5), p95: quantile(xs, 0.95), p99: quantile(xs, 0.99), max: quantile(xs, 1) });

const t0 = performance.now();
await loadFaceEngine();
const loadMs = performance.now() - t0;

const faces: { row: number; col: number; img: RgbImage; emb: number[]; real: number; live: number }[] = [];
const detectMs: number[] = [];
for (let row = 0; row < 6; row++) {
  for (let col = 0; col < 18; col++) {
    const img = sampleFace(row, col);
    const s = performance.now();
    const found = await detectFaces(img);
    detectMs.push(performance.now() - s);
    if (found.length === 1) faces.push({ row, col, img, emb: found[0].embedding, real: found[0].real, live: found[0].live });
  }
}

const others = faces.filter((f) => f.row > 0);
const genuine: number[] = [];
const printReal: number[] = [];
for (const f of others) {
  const variants = [resize(resize(f.img, Math.round(f.img.width * 0.7), Math.round(f.img.height * 0.7)), f.img.width, f.img.height), adjust(f.img, 1.25, 10), adjust(f.img, 0.75), rotate(f.img, 8), rotate(f.img, -8), decodeJpeg(encodeJpeg(f.img, 35))];
  for (const v of variants) {
    const d = await detectFaces(v);
    if (d.length === 1) genuine.push(similarity(f.emb, d[0].embedding));
  }
  const p = await detectFaces(simulatePrint(f.img));
  if (p.length === 1) printReal.push(p[0].real);
}
const impostor: number[] = [];
for (let i = 0; i < others.length; i++) for (let j = i + 1; j < others.length; j++) impostor.push(similarity(others[i].emb, others[j].emb));
const sameMan = faces.filter((f) => f.row === 0 && f.col <= 10);
const crossPhoto: number[] = [];
for (let i = 0; i < sameMan.length; i++) for (let j = i + 1; j < sameMan.length; j++) crossPhoto.push(similarity(sameMan[i].emb, sameMan[j].emb));
const thresholds = [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8].map((th) => ({
  threshold: th,
  falseAcceptRate: impostor.filter((x) => x >= th).length / impostor.length,
  falseRejectRateTransformed: genuine.filter((x) => x < th).length / genuine.length,
  falseRejectRateCrossPhoto: crossPhoto.filter((x) => x < th).length / crossPhoto.length,
}));

// 1:N brute force over 10^5 Float32 templates (the PGlite path; PostgreSQL without pgvector too).
const N = 100_000;
const dim = 1024;
const index = new DescriptorIndex(dim, N);
const row = new Float32Array(dim);
let seed = 1;
for (let n = 0; n < N; n++) {
  for (let i = 0; i < dim; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    row[i] = seed / 4294967296 - 0.5;
  }
  index.add(`p${n}`, row);
}
const probe = Float32Array.from(others[0].emb);
const searchMs: number[] = [];
for (let run = 0; run < 7; run++) {
  const s = performance.now();
  index.search(probe, 0.7);
  searchMs.push(performance.now() - s);
}

const result = {
  name: 'faces',
  machine: { cpus: 2, node: process.version },
  modelLoadMs: Math.round(loadMs),
  detectEmbedMs: { ...summary(detectMs), target: 300, ratioToTarget: quantile(detectMs, 0.5) / 300 },
  search1toN: { templates: N, medianMs: quantile(searchMs, 0.5), target: 100, ratioToTarget: quantile(searchMs, 0.5) / 100 },
  evaluation: {
    source: '@vladmandic/human assets/screenshot-facematch.jpg, 108 crops built at run time',
    facesDetected: faces.length,
    genuineTransformed: summary(genuine),
    genuineCrossPhoto: summary(crossPhoto),
    impostor: summary(impostor),
    antispoofRealOriginal: summary(others.map((f) => f.real)),
    antispoofRealSimulatedPrint: summary(printReal),
    livenessOriginal: summary(others.map((f) => f.live)),
    thresholds,
  },
};
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/faces.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
