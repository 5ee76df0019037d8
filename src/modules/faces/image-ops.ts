import type { RgbImage } from './face-engine.js';

/**
 * Small image operations for building evaluation variants at test time (crop, scale, brightness,
 * rotation, blur, desaturation) — bilinear sampling on packed RGB, no native dependency.
 */
function sample(img: RgbImage, x: number, y: number, c: number): number {
  const x0 = Math.max(0, Math.min(img.width - 1, Math.floor(x)));
  const y0 = Math.max(0, Math.min(img.height - 1, Math.floor(y)));
  const x1 = Math.min(img.width - 1, x0 + 1);
  const y1 = Math.min(img.height - 1, y0 + 1);
  const fx = Math.max(0, Math.min(1, x - x0));
  const fy = Math.max(0, Math.min(1, y - y0));
  const at = (xx: number, yy: number) => img.data[(yy * img.width + xx) * 3 + c];
  return (
    (at(x0, y0) * (1 - fx) + at(x1, y0) * fx) * (1 - fy) +
    (at(x0, y1) * (1 - fx) + at(x1, y1) * fx) * fy
  );
}

function build(
  width: number,
  height: number,
  fn: (x: number, y: number, c: number) => number,
): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++)
        data[(y * width + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(fn(x, y, c))));
    }
  }
  return { width, height, data };
}

export function crop(img: RgbImage, x: number, y: number, w: number, h: number): RgbImage {
  return build(w, h, (xx, yy, c) => sample(img, x + xx, y + yy, c));
}

export function resize(img: RgbImage, width: number, height: number): RgbImage {
  return build(width, height, (x, y, c) =>
    sample(img, ((x + 0.5) * img.width) / width - 0.5, ((y + 0.5) * img.height) / height - 0.5, c),
  );
}

export function adjust(img: RgbImage, gain: number, offset = 0): RgbImage {
  return build(
    img.width,
    img.height,
    (x, y, c) => img.data[(y * img.width + x) * 3 + c] * gain + offset,
  );
}

export function rotate(img: RgbImage, degrees: number): RgbImage {
  const a = (degrees * Math.PI) / 180;
  const cx = img.width / 2;
  const cy = img.height / 2;
  const cos = Math.cos(a);
  const sin = Math.sin(a);
  return build(img.width, img.height, (x, y, c) =>
    sample(img, cos * (x - cx) + sin * (y - cy) + cx, -sin * (x - cx) + cos * (y - cy) + cy, c),
  );
}

/** Pads an image onto a larger canvas of one colour (the detector wants context around a face). */
export function pad(img: RgbImage, margin: number, value = 0): RgbImage {
  return build(img.width + 2 * margin, img.height + 2 * margin, (x, y, c) => {
    const xx = x - margin;
    const yy = y - margin;
    return xx >= 0 && yy >= 0 && xx < img.width && yy < img.height
      ? img.data[(yy * img.width + xx) * 3 + c]
      : value;
  });
}

export function sideBySide(a: RgbImage, b: RgbImage): RgbImage {
  const height = Math.max(a.height, b.height);
  return build(a.width + b.width, height, (x, y, c) => {
    if (x < a.width) return y < a.height ? a.data[(y * a.width + x) * 3 + c] : 0;
    const xx = x - a.width;
    return y < b.height ? b.data[(y * b.width + xx) * 3 + c] : 0;
  });
}

/**
 * A photo of a printed photo: half resolution, washed-out colours, a little blur and a paper tint —
 * what a re-captured print loses compared with a live face.
 */
export function simulatePrint(img: RgbImage): RgbImage {
  const small = resize(
    img,
    Math.max(8, Math.round(img.width / 2)),
    Math.max(8, Math.round(img.height / 2)),
  );
  const back = resize(small, img.width, img.height);
  return build(img.width, img.height, (x, y, c) => {
    const i = (y * img.width + x) * 3;
    const gray = 0.3 * back.data[i] + 0.59 * back.data[i + 1] + 0.11 * back.data[i + 2];
    const mixed = 0.55 * back.data[i + c] + 0.45 * gray;
    const tint = [12, 8, -6][c];
    return 40 + mixed * 0.7 + tint + ((x + y) % 4 === 0 ? 6 : 0);
  });
}
