import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../lib/api-client';

/** What the supervision API answers (its presenters; the contract documents requests only). */
export interface Prefill {
  source: string;
  suggestion: 'pass' | 'fail' | 'unknown';
  summary: string;
  evidence: { kind: string; id: string; label?: string }[];
}
export interface InspectionItem {
  position: number;
  code: string;
  text: string;
  basis: string;
  severity: 'serious' | 'warning' | 'notice';
  prefill: Prefill | null;
  result: 'pass' | 'fail' | 'na' | null;
  note: string | null;
  photoSha256s: string[];
}
export interface FileRef {
  id: string;
  sha256: string;
  name: string | null;
  contentType: string;
  size: number;
}
export interface Finding {
  id: string;
  inspectionId: string | null;
  organizationId: string;
  organizationName?: string;
  code: string;
  severity: 'serious' | 'warning' | 'notice';
  message: string;
  basis: string;
  status: 'open' | 'ordered' | 'closed';
  orderId: string | null;
  orderNumber?: string | null;
  orderDeadline?: string | null;
  orderState?: string | null;
  createdAt: string;
}
export interface Inspection {
  id: string;
  planId: string | null;
  drawId: string | null;
  organizationId: string;
  organizationName: string;
  organizationKind: string;
  regulatorName: string;
  templateName: string;
  templateVersion: number;
  scheduledOn: string;
  status: 'scheduled' | 'in_progress' | 'signed';
  signedAt: string | null;
  signerName: string | null;
  inspectors: { personId: string; name: string }[];
}
export interface InspectionDetail extends Inspection {
  canEdit: boolean;
  items: InspectionItem[];
  photos: FileRef[];
  findings: Finding[];
  orders: { id: string; number: string; state: string; deadline: string }[];
  spotExams: { id: string; seed: string }[];
}
export interface Order {
  id: string;
  number: string;
  inspectionId: string;
  organizationId: string;
  organizationName: string;
  regulatorName: string;
  requirements: string;
  deadline: string;
  responsibleName: string;
  state: 'issued' | 'responded' | 'verified' | 'closed';
  issuedBy: string;
  issuedAt: string;
  verifiedBy: string | null;
  verificationNote: string | null;
  closedAt: string | null;
  escalatedTo: string | null;
  overdue: boolean;
}
export interface OrderDetail extends Order {
  findings: { id: string; severity: string; message: string; basis: string; status: string }[];
  responses: {
    id: string;
    statement: string;
    respondedAt: string;
    responder: string;
    via: 'account' | 'link';
    outcome: 'accepted' | 'rejected' | null;
    outcomeNote: string | null;
  }[];
  files: FileRef[];
}

export function errorText(e: unknown): string {
  return e instanceof ApiError ? e.message : String(e);
}

/** Beijing time, whatever the browser's zone. */
export const fmtTime = (iso: string | Date) =>
  new Date(iso).toLocaleString('zh-CN', {
    timeZone: 'Asia/Shanghai',
    hour12: false,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  });
/** Today's Beijing date, YYYY-MM-DD. */
export const beijingToday = () => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
export const daysBetween = (from: string, to: string) =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);

const severityColor = { serious: 'red', warning: 'orange', notice: 'blue' } as const;
export function SeverityTag({ severity }: { severity: keyof typeof severityColor }) {
  const { t } = useTranslation();
  return <Tag color={severityColor[severity]}>{t(`sv.severity.${severity}`)}</Tag>;
}

const orderColor: Record<string, string> = {
  issued: 'orange',
  responded: 'blue',
  verified: 'cyan',
  closed: 'green',
};
export function OrderStateTag({ state, overdue }: { state: string; overdue?: boolean }) {
  const { t } = useTranslation();
  return (
    <>
      <Tag color={orderColor[state]} data-testid="order-state" data-state={state}>
        {t(`sv.order.state.${state}`)}
      </Tag>
      {overdue && <Tag color="red">{t('sv.order.overdue')}</Tag>}
    </>
  );
}

const statusColor: Record<string, string> = {
  scheduled: 'default',
  in_progress: 'processing',
  signed: 'success',
};
export function InspectionStatusTag({ status }: { status: string }) {
  const { t } = useTranslation();
  return <Tag color={statusColor[status]}>{t(`sv.status.${status}`)}</Tag>;
}

export function readAsBase64(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result).replace(/^data:[^,]*,/, ''));
    r.onerror = () => reject(r.error);
    r.readAsDataURL(blob);
  });
}

/**
 * A phone photo made small enough to queue on the device and send over a weak network: at most
 * 1600 px on its long side, JPEG. A file the browser cannot decode is sent as it is.
 */
export async function shrinkPhoto(file: File): Promise<{ base64: string; contentType: string }> {
  try {
    const bitmap = await createImageBitmap(file);
    const scale = Math.min(1, 1600 / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    canvas.getContext('2d')!.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise<Blob | null>((r) => canvas.toBlob(r, 'image/jpeg', 0.82));
    if (blob) return { base64: await readAsBase64(blob), contentType: 'image/jpeg' };
  } catch {
    // fall through: send the original
  }
  return { base64: await readAsBase64(file), contentType: file.type || 'image/jpeg' };
}

export const fileUrl = (id: string) => `/api/supervision/files/${id}`;
