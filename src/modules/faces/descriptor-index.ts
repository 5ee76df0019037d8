import { descriptorScanWasm } from './descriptor-scan.wasm.js';

/** The WebAssembly kernel takes 16 floats a step; rows are zero-padded to a multiple of it. */
const STEP = 16;
const PAGE = 65_536;
/** WebAssembly memories are addressed by 32 bits; V8 allows the whole 4 GB. */
const MAX_PAGES = 65_536;

/**
 * Node has WebAssembly as a global, but @types/node 20 does not declare it (lib.dom does, and the
 * server is not compiled with DOM types): the little this file uses is typed here.
 */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Memory: new (descriptor: { initial: number; maximum: number }) => { buffer: ArrayBuffer };
  Instance: new (
    module: object,
    imports: Record<string, Record<string, unknown>>,
  ) => { exports: Record<string, unknown> };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

let scanModule: object | undefined;

/**
 * Brute-force 1:N over unit-normalized descriptors: the dot product of the probe with every
 * template, in a WebAssembly SIMD loop (descriptor-scan.wat) over one linear memory. The path of
 * PostgreSQL without pgvector, and the scorer of the index path's candidates, so both paths score
 * alike. Measured on this machine kind over 10^5 × 1024: ~15 ms a probe against ~110 ms for the
 * best plain-JS loop (docs/faces.md). The products are summed in float32 (16 partial sums a row):
 * scores agree with a float64 sum to ~1e-6.
 */
export class DescriptorIndex {
  private readonly stride: number;
  private readonly rows: Float32Array;
  private readonly probe: Float32Array;
  private readonly scores: Float32Array;
  private readonly dots: (
    rows: number,
    n: number,
    stride: number,
    probe: number,
    out: number,
  ) => void;
  private readonly offsets: { probe: number; scores: number; rows: number };
  private readonly ids: string[] = [];
  private size = 0;

  constructor(
    readonly dim: number,
    readonly capacity: number,
  ) {
    this.stride = Math.ceil(dim / STEP) * STEP || STEP;
    const probeBytes = this.stride * 4;
    const scoreBytes = Math.ceil(capacity / 4) * 16;
    const bytes = probeBytes + scoreBytes + capacity * this.stride * 4;
    const pages = Math.max(1, Math.ceil(bytes / PAGE));
    if (pages > MAX_PAGES)
      throw new RangeError(
        `${capacity} descriptors of ${dim} do not fit one brute-force scan (4 GB); search through the pgvector index instead`,
      );
    scanModule ??= new wasm.Module(Buffer.from(descriptorScanWasm, 'base64'));
    // Sized once and never grown: growing would detach the views below.
    const memory = new wasm.Memory({ initial: pages, maximum: pages });
    const instance = new wasm.Instance(scanModule, { env: { memory } });
    this.dots = instance.exports.dots as DescriptorIndex['dots'];
    this.offsets = { probe: 0, scores: probeBytes, rows: probeBytes + scoreBytes };
    this.probe = new Float32Array(memory.buffer, this.offsets.probe, this.stride);
    this.scores = new Float32Array(memory.buffer, this.offsets.scores, capacity);
    this.rows = new Float32Array(memory.buffer, this.offsets.rows, capacity * this.stride);
  }

  add(id: string, descriptor: ArrayLike<number>): void {
    if (this.size >= this.capacity)
      throw new RangeError(`DescriptorIndex is full (${this.capacity})`);
    writeUnit(descriptor, this.dim, this.rows, this.size * this.stride);
    this.ids.push(id);
    this.size++;
  }

  /** Every id whose similarity to the probe reaches the threshold, best first. */
  search(probe: ArrayLike<number>, threshold: number): { id: string; score: number }[] {
    writeUnit(probe, this.dim, this.probe, 0);
    this.dots(this.offsets.rows, this.size, this.stride, this.offsets.probe, this.offsets.scores);
    const hits: { id: string; score: number }[] = [];
    const { scores } = this;
    for (let r = 0; r < this.size; r++)
      if (scores[r] >= threshold) hits.push({ id: this.ids[r], score: scores[r] });
    return hits.sort((a, b) => b.score - a.score);
  }
}

/** The unit vector of `v` into `out` at `at`; the padding up to the stride stays zero. */
function writeUnit(v: ArrayLike<number>, dim: number, out: Float32Array, at: number): void {
  let norm = 0;
  for (let i = 0; i < dim; i++) norm += v[i] * v[i];
  const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let i = 0; i < dim; i++) out[at + i] = v[i] * inv;
}
