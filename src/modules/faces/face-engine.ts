import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import jpeg from 'jpeg-js';

/**
 * The face models shipped inside @vladmandic/human (blazeface detector, faceres embedding,
 * antispoof, liveness) on tfjs' WASM backend. Nothing is downloaded at run time: the models and the
 * WASM binaries are read from node_modules.
 */
export interface RgbImage {
  width: number;
  height: number;
  /** Packed RGB, 3 bytes per pixel, row-major. */
  data: Uint8Array;
}

export interface DetectedFace {
  box: [number, number, number, number];
  /** Detector confidence, 0..1. */
  score: number;
  /** faceres descriptor (1024 values). */
  embedding: number[];
  /** Antispoof model: 1 = a real face, 0 = a photo/screen of one. */
  real: number;
  /** Liveness model, 0..1. */
  live: number;
}

const require = createRequire(import.meta.url);
// The package's export map sends a bare import to the tfjs-node build (a native download): load the
// WASM build by its file path instead.
const humanRoot = dirname(dirname(require.resolve('@vladmandic/human')));
const wasmDir = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '..');

let fileFetchInstalled = false;
/** Node 20's fetch cannot read file:// URLs, and the model loader fetches: serve them from disk. */
function installFileFetch(): void {
  if (fileFetchInstalled) return;
  fileFetchInstalled = true;
  const original = globalThis.fetch;
  globalThis.fetch = (async (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (url.startsWith('file://')) {
      const body = await readFile(new URL(url));
      return new Response(body, {
        status: 200,
        headers: {
          'content-type': url.endsWith('.json') ? 'application/json' : 'application/octet-stream',
        },
      });
    }
    return original(input, init);
  }) as typeof fetch;
}

interface HumanLike {
  load(): Promise<void>;
  detect(input: unknown): Promise<{
    face: { box: number[]; score: number; embedding?: number[]; real?: number; live?: number }[];
  }>;
  tf: {
    tensor3d(
      data: Uint8Array,
      shape: [number, number, number],
      dtype: 'int32',
    ): { dispose(): void };
    getBackend(): string;
  };
}

let engine: Promise<HumanLike> | undefined;

export function loadFaceEngine(): Promise<HumanLike> {
  engine ??= (async () => {
    installFileFetch();
    const mod = await import(pathToFileURL(join(humanRoot, 'dist', 'human.node-wasm.js')).href);
    const Human = mod.Human ?? mod.default?.Human ?? mod.default;
    const human: HumanLike = new Human({
      backend: 'wasm',
      wasmPath: `${pathToFileURL(join(wasmDir, 'dist')).href}/`,
      modelBasePath: `${pathToFileURL(join(humanRoot, 'models')).href}/`,
      debug: false,
      async: false,
      cacheSensitivity: 0,
      face: {
        enabled: true,
        detector: {
          enabled: true,
          maxDetected: 5,
          rotation: true,
          minConfidence: 0.5,
          return: false,
        },
        mesh: { enabled: true },
        iris: { enabled: false },
        description: { enabled: true },
        emotion: { enabled: false },
        antispoof: { enabled: true },
        liveness: { enabled: true },
      },
      body: { enabled: false },
      hand: { enabled: false },
      object: { enabled: false },
      gesture: { enabled: false },
      segmentation: { enabled: false },
      filter: { enabled: false },
    });
    await human.load();
    if (human.tf.getBackend() !== 'wasm')
      throw new Error(`face engine runs on ${human.tf.getBackend()}, expected wasm`);
    return human;
  })();
  return engine;
}

export async function detectFaces(image: RgbImage): Promise<DetectedFace[]> {
  const human = await loadFaceEngine();
  const tensor = human.tf.tensor3d(image.data, [image.height, image.width, 3], 'int32');
  try {
    const result = await human.detect(tensor);
    return result.face.map((f) => ({
      box: f.box.slice(0, 4) as [number, number, number, number],
      score: f.score,
      embedding: f.embedding ?? [],
      real: f.real ?? 0,
      live: f.live ?? 0,
    }));
  } finally {
    tensor.dispose();
  }
}

/**
 * The most pixels a face image may have. A camera frame is 0.3–2 MP and a phone's registration photo
 * up to 12 MP; decoding is linear in pixels (jpeg-js, on the request thread: a 6300×6300 frame held the
 * event loop 6.8 s and 1.1 GB, issue 12 point 6), so anything larger is refused from its header. A
 * technical bound, not a regulation figure.
 */
export const MAX_FACE_IMAGE_PIXELS = 12_600_000;

/**
 * Width and height from a JPEG's frame header (SOFn), read without decoding anything: the markers
 * before it are skipped by their lengths. Null when the bytes are not a JPEG or carry no frame header
 * before the scan.
 */
export function jpegDimensions(bytes: Uint8Array): { width: number; height: number } | null {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return null;
  let i = 2;
  while (i + 3 < bytes.length) {
    if (bytes[i] !== 0xff) return null;
    const marker = bytes[i + 1];
    if (marker === 0xff) {
      i += 1; // fill byte
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      i += 2; // markers without a length
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return null; // end of image or scan before any frame
    const length = (bytes[i + 2] << 8) | bytes[i + 3];
    if (length < 2) return null;
    const frame = marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker);
    if (frame) {
      if (i + 8 >= bytes.length) return null;
      return {
        height: (bytes[i + 5] << 8) | bytes[i + 6],
        width: (bytes[i + 7] << 8) | bytes[i + 8],
      };
    }
    i += 2 + length;
  }
  return null;
}

/** JPEG bytes → RGB. Browsers send JPEG frames (canvas.toBlob('image/jpeg')); other formats are refused upstream. */
export function decodeJpeg(bytes: Uint8Array): RgbImage {
  const img = jpeg.decode(bytes, {
    useTArray: true,
    formatAsRGBA: false,
    // The caller checks the header first (jpegDimensions); this stays as the decoder's own bound.
    maxResolutionInMP: MAX_FACE_IMAGE_PIXELS / 1_000_000,
  });
  return { width: img.width, height: img.height, data: img.data };
}

export function encodeJpeg(image: RgbImage, quality = 90): Uint8Array {
  const rgba = new Uint8Array(image.width * image.height * 4);
  for (let i = 0, j = 0; i < image.data.length; i += 3, j += 4) {
    rgba[j] = image.data[i];
    rgba[j + 1] = image.data[i + 1];
    rgba[j + 2] = image.data[i + 2];
    rgba[j + 3] = 255;
  }
  return jpeg.encode({ width: image.width, height: image.height, data: rgba }, quality).data;
}

/** The shipped model files, served to the browser at /models/human/ for capture-side checks. */
export const humanModelsDir = join(humanRoot, 'models');

/** Where the library keeps its sample images (used to build the evaluation set at test time). */
export function humanAssetPath(name: string): string {
  return join(humanRoot, 'assets', name);
}
