import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../platform/http/routing.js';
import { buildTestApp } from '../../test-support/app.js';
import { createTestDatabase, type TestDatabase } from '../../test-support/db.js';
import {
  cookieOf,
  seedTrustCity,
  type TrustCity,
  trustRefs,
} from '../../test-support/trust-city.js';
import { encodeJpeg, jpegDimensions, MAX_FACE_IMAGE_PIXELS } from './face-engine.js';

/**
 * Issue 12 point 6, first part: a face image's size is read from its JPEG header and a frame over the
 * bound is refused before any decoding (found: a 1 MB, 6300×6300 JPEG held the event loop 6.8 s).
 */
function smallJpeg(width: number, height: number): Buffer {
  const data = new Uint8Array(width * height * 3).map((_, i) => (i * 37) % 256);
  return Buffer.from(encodeJpeg({ width, height, data }, 80));
}

/** The same small JPEG whose frame header claims other dimensions (what a bomb looks like to a header reader). */
function claiming(bytes: Buffer, width: number, height: number): Buffer {
  const out = Buffer.from(bytes);
  for (let i = 2; i < out.length - 8; i++)
    if (out[i] === 0xff && out[i + 1] === 0xc0) {
      out.writeUInt16BE(height, i + 5);
      out.writeUInt16BE(width, i + 7);
      return out;
    }
  throw new Error('no SOF0');
}

describe('face image size from the JPEG header', () => {
  it('reads width and height without decoding', () => {
    expect(jpegDimensions(smallJpeg(37, 23))).toEqual({ width: 37, height: 23 });
    expect(jpegDimensions(claiming(smallJpeg(16, 16), 6300, 6300))).toEqual({
      width: 6300,
      height: 6300,
    });
    expect(jpegDimensions(Buffer.from('not a jpeg at all'))).toBeNull();
    expect(jpegDimensions(smallJpeg(16, 16).subarray(0, 20))).toBeNull();
  });

  describe('on the enrolment route', () => {
    let t: TestDatabase;
    let app: App;
    let city: TrustCity;
    beforeAll(async () => {
      t = await createTestDatabase('pglite');
      city = await seedTrustCity(t.db);
      app = await buildTestApp(t);
    });
    afterAll(async () => {
      await app?.close();
      await t?.close();
    });

    it('refuses a 6300×6300 frame with a 400 naming its size, and writes nothing', async () => {
      const side = 6300;
      expect(side * side).toBeGreaterThan(MAX_FACE_IMAGE_PIXELS);
      const res = await app.inject({
        method: 'POST',
        url: `/api/persons/${city.ids.get(trustRefs.electrician)}/face`,
        headers: { cookie: await cookieOf(app, city, 'cityRegulator') },
        payload: {
          image: claiming(smallJpeg(64, 64), side, side).toString('base64'),
          context: 'enrollment',
        },
      });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().error.details).toContainEqual(
        expect.objectContaining({ path: 'body.image', code: 'image_too_large' }),
      );
      const templates = await t.db
        .selectFrom('faceTemplate')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(templates.n)).toBe(0);
    });
  });
});
