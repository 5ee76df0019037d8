import { ApiError, api } from '../../lib/api-client';

/**
 * What an inspector enters on site, kept on the phone until the server has it: every answer, photo
 * and the signature is an operation in a queue stored in localStorage under the inspection's id, sent
 * in order, and removed only when the server took it. A lost network (or a closed tab) loses nothing;
 * the queue is sent again on reconnect, every few seconds, and when the page opens again.
 *
 * Photos are referenced by a local id until uploaded; the upload answers the SHA-256 the server
 * records, and the answers that name the photo are sent with that digest.
 */
export type QueuedOp =
  | { kind: 'photo'; localId: string; base64: string; contentType: string; name: string }
  | {
      kind: 'item';
      position: number;
      result: 'pass' | 'fail' | 'na';
      note: string | null;
      /** Uploaded photos by digest, queued ones by local id (`local:…`). */
      photos: string[];
    }
  | { kind: 'sign'; signerName: string; signaturePngBase64: string; summary?: string };

interface Stored {
  ops: QueuedOp[];
  /** local photo id → SHA-256 once uploaded. */
  uploaded: Record<string, string>;
}

const keyOf = (inspectionId: string) => `zx.inspection.${inspectionId}`;

export function loadQueue(inspectionId: string): Stored {
  try {
    const raw = localStorage.getItem(keyOf(inspectionId));
    if (raw) return JSON.parse(raw) as Stored;
  } catch {
    // A corrupt entry is dropped; the server's record stands.
  }
  return { ops: [], uploaded: {} };
}

export function saveQueue(inspectionId: string, s: Stored): boolean {
  try {
    if (s.ops.length === 0 && Object.keys(s.uploaded).length === 0)
      localStorage.removeItem(keyOf(inspectionId));
    else localStorage.setItem(keyOf(inspectionId), JSON.stringify(s));
    return true;
  } catch {
    // Storage full: the queue still lives in memory for this page.
    return false;
  }
}

/** Adds an operation; an unsent answer to the same item is replaced by the newer one. */
export function enqueue(s: Stored, op: QueuedOp): Stored {
  const ops =
    op.kind === 'item'
      ? s.ops.filter((o) => !(o.kind === 'item' && o.position === op.position))
      : s.ops;
  return { ...s, ops: [...ops, op] };
}

export const resolvePhoto = (s: Stored, ref: string) =>
  ref.startsWith('local:') ? (s.uploaded[ref] ?? null) : ref;

export type FlushOutcome =
  | { kind: 'done' }
  | { kind: 'offline' }
  | { kind: 'refused'; op: QueuedOp; error: ApiError };

/**
 * Sends the queue's operations in order. Stops at the first network failure (offline: kept for the
 * next attempt); an operation the server refuses (4xx) is dropped and reported, the rest go on.
 */
export async function flushQueue(
  inspectionId: string,
  get: () => Stored,
  set: (s: Stored) => void,
): Promise<FlushOutcome> {
  let refused: FlushOutcome | null = null;
  for (;;) {
    const s = get();
    const op = s.ops[0];
    if (!op) return refused ?? { kind: 'done' };
    try {
      if (op.kind === 'photo') {
        const f = await api.post<{ sha256: string }>(
          `/api/supervision/inspections/${inspectionId}/photos`,
          { contentBase64: op.base64, contentType: op.contentType, name: op.name },
        );
        const now = get();
        set({
          ops: now.ops.filter((o) => o !== op),
          uploaded: { ...now.uploaded, [op.localId]: f.sha256 },
        });
        continue;
      }
      if (op.kind === 'item') {
        const photos = op.photos.map((p) => resolvePhoto(s, p));
        await api.put(`/api/supervision/inspections/${inspectionId}/items/${op.position}`, {
          result: op.result,
          note: op.note,
          photoSha256s: photos.filter((p): p is string => p !== null),
        });
      } else {
        await api.post(`/api/supervision/inspections/${inspectionId}/sign`, {
          signerName: op.signerName,
          signaturePngBase64: op.signaturePngBase64,
          summary: op.summary,
        });
      }
      const now = get();
      set({ ...now, ops: now.ops.filter((o) => o !== op) });
    } catch (e) {
      if (e instanceof ApiError && e.status >= 400 && e.status < 500 && e.status !== 401) {
        const now = get();
        set({ ...now, ops: now.ops.filter((o) => o !== op) });
        refused = { kind: 'refused', op, error: e };
        continue;
      }
      return { kind: 'offline' };
    }
  }
}
