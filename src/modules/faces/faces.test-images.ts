import { readFileSync } from 'node:fs';
import { decodeJpeg, humanAssetPath, type RgbImage } from './face-engine.js';
import { crop, pad, resize } from './image-ops.js';

/**
 * Evaluation faces built at test time from the library's own sample (assets/screenshot-facematch.jpg:
 * a grid of 18 × 6 face crops, 1920 × 954). Row 0 columns 0–10 are one man in different photos (the
 * library's face-match demo); rows 1–5 are other people. Nothing third-party is committed.
 */
const GRID = { columns: 18, rows: 6, top: 284, rowHeight: 112, width: 1920 };

let sheet: RgbImage | undefined;

export function sampleFace(row: number, column: number): RgbImage {
  sheet ??= decodeJpeg(readFileSync(humanAssetPath('screenshot-facematch.jpg')));
  const x = Math.round((column * GRID.width) / GRID.columns) + 2;
  const tile = crop(sheet, x, GRID.top + row * GRID.rowHeight + 2, 102, 106);
  // The detector wants a face with context around it, at a size a camera frame would give.
  return pad(resize(tile, 204, 212), 60, 128);
}

/** A frame with no face: a flat grey card. */
export function blankFrame(): RgbImage {
  return { width: 320, height: 320, data: new Uint8Array(320 * 320 * 3).fill(128) };
}
