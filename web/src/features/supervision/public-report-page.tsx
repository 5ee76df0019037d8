import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  Form,
  Input,
  Layout,
  List,
  Result,
  Select,
  Space,
  Steps,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { reportCategories } from '../../../../src/modules/supervision/supervision.contract.js';
import { api } from '../../lib/api-client';
import { errorText, fmtTime, readAsBase64 } from './shared';

// SHA-256 in plain JS: the anti-spam proof of work runs where crypto.subtle is missing (plain http).
const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
function sha256(bytes: Uint8Array): Uint8Array {
  const len = bytes.length;
  const padded = new Uint8Array(((len + 9 + 63) >> 6) << 6);
  padded.set(bytes);
  padded[len] = 0x80;
  const view = new DataView(padded.buffer);
  view.setUint32(padded.length - 4, len * 8);
  view.setUint32(padded.length - 8, Math.floor(len / 0x20000000));
  const h = new Uint32Array([
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
  ]);
  const w = new Uint32Array(64);
  const rotr = (x: number, n: number) => (x >>> n) | (x << (32 - n));
  for (let off = 0; off < padded.length; off += 64) {
    for (let i = 0; i < 16; i++) w[i] = view.getUint32(off + i * 4);
    for (let i = 16; i < 64; i++) {
      const s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >>> 3);
      const s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >>> 10);
      w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    let [a, b, c, d, e, f, g, hh] = h;
    for (let i = 0; i < 64; i++) {
      const t1 =
        (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i]) >>> 0;
      const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) >>> 0;
      hh = g;
      g = f;
      f = e;
      e = (d + t1) >>> 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) >>> 0;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    h[5] += f;
    h[6] += g;
    h[7] += hh;
  }
  const out = new Uint8Array(32);
  const ov = new DataView(out.buffer);
  for (let i = 0; i < 8; i++) ov.setUint32(i * 4, h[i]);
  return out;
}

const leadingZeroBits = (d: Uint8Array) => {
  let bits = 0;
  for (const byte of d) {
    if (byte === 0) {
      bits += 8;
      continue;
    }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
};

/** Finds the nonce the server asks for (a few thousand hashes), yielding to the page now and then. */
async function solve(challenge: string, bits: number): Promise<string> {
  const enc = new TextEncoder();
  for (let n = 0; ; n++) {
    if (leadingZeroBits(sha256(enc.encode(`${challenge}:${n}`))) >= bits) return String(n);
    if (n % 2000 === 1999) await new Promise((r) => setTimeout(r, 0));
  }
}

function PublicShell({ children }: { children: React.ReactNode }) {
  const { t } = useTranslation();
  return (
    <Layout style={{ minHeight: '100vh', background: '#f5f5f5' }}>
      <Layout.Content style={{ maxWidth: 720, width: '100%', margin: '0 auto', padding: 12 }}>
        <Typography.Title level={5} style={{ color: '#b7312c' }}>
          {t('app.name')} · {t('app.subtitle')}
        </Typography.Title>
        {children}
      </Layout.Content>
    </Layout>
  );
}

/** The public 12350 form (no login): optional anonymity, attachments, answered with a tracking code. */
export function PublicReportPage() {
  const { t } = useTranslation();
  const [form] = Form.useForm();
  const anonymous = Form.useWatch('anonymous', form);
  const [files, setFiles] = useState<File[]>([]);
  const [code, setCode] = useState<string | null>(null);
  // Fetched when the page opens: the server wants a few seconds between the two (people type).
  const challenge = useQuery({
    queryKey: ['report-challenge'],
    queryFn: () => api.get<{ challenge: string; bits: number }>('/api/public/reports/challenge'),
    staleTime: Number.POSITIVE_INFINITY,
    refetchOnWindowFocus: false,
  });
  const submit = useMutation({
    mutationFn: async (v: Record<string, string | boolean | undefined>) => {
      const ch = challenge.data ?? (await challenge.refetch()).data!;
      const nonce = await solve(ch.challenge, ch.bits);
      const attachments = await Promise.all(
        files.map(async (f) => ({
          name: f.name,
          contentType: f.type,
          contentBase64: await readAsBase64(f),
        })),
      );
      return api.post<{ trackingCode: string }>('/api/public/reports', {
        regionCode: v.regionCode,
        subjectText: v.subjectText,
        category: v.category,
        content: v.content,
        anonymous: Boolean(v.anonymous),
        reporterName: v.anonymous ? undefined : v.reporterName || undefined,
        reporterPhone: v.anonymous ? undefined : v.reporterPhone || undefined,
        attachments,
        challenge: ch.challenge,
        nonce,
        website: v.website || undefined,
      });
    },
    onSuccess: (r) => setCode(r.trackingCode),
    onError: () => void challenge.refetch(),
  });
  if (code)
    return (
      <PublicShell>
        <Result
          status="success"
          title={t('sv.report.filed')}
          subTitle={t('sv.report.keepCode')}
          extra={
            <Space direction="vertical">
              <Typography.Title level={3} copyable data-testid="tracking-code">
                {code}
              </Typography.Title>
              <Link to={`/12350/track?code=${encodeURIComponent(code)}`}>
                <Button type="primary">{t('sv.report.track')}</Button>
              </Link>
            </Space>
          }
        />
      </PublicShell>
    );
  return (
    <PublicShell>
      <Card
        title={t('sv.report.title')}
        extra={<Link to="/12350/track">{t('sv.report.track')}</Link>}
      >
        <Typography.Paragraph type="secondary">{t('sv.report.intro')}</Typography.Paragraph>
        {submit.error && (
          <Alert
            type="error"
            showIcon
            style={{ marginBottom: 8 }}
            message={errorText(submit.error)}
          />
        )}
        <Form
          form={form}
          layout="vertical"
          initialValues={{ anonymous: true, category: 'fake_training', regionCode: '370902' }}
          onFinish={(v) => submit.mutate(v)}
        >
          <Form.Item
            name="regionCode"
            label={t('sv.report.region')}
            rules={[{ required: true, pattern: /^\d{6}$/ }]}
          >
            <Input inputMode="numeric" maxLength={6} />
          </Form.Item>
          <Form.Item
            name="subjectText"
            label={t('sv.report.subject')}
            rules={[{ required: true, min: 2 }]}
          >
            <Input />
          </Form.Item>
          <Form.Item name="category" label={t('sv.report.category')} rules={[{ required: true }]}>
            <Select
              options={reportCategories.map((c) => ({
                value: c,
                label: t(`sv.report.categories.${c}`),
              }))}
            />
          </Form.Item>
          <Form.Item
            name="content"
            label={t('sv.report.content')}
            rules={[{ required: true, min: 10 }]}
          >
            <Input.TextArea autoSize={{ minRows: 4 }} maxLength={5000} showCount />
          </Form.Item>
          <Form.Item name="anonymous" valuePropName="checked">
            <Checkbox>{t('sv.report.anonymous')}</Checkbox>
          </Form.Item>
          {!anonymous && (
            <Space wrap>
              <Form.Item name="reporterName" label={t('sv.report.name')}>
                <Input />
              </Form.Item>
              <Form.Item name="reporterPhone" label={t('sv.report.phone')}>
                <Input inputMode="tel" />
              </Form.Item>
            </Space>
          )}
          {/* Left empty by people; robots fill every field. */}
          <Form.Item name="website" style={{ position: 'absolute', left: -10000 }} aria-hidden>
            <Input tabIndex={-1} autoComplete="off" />
          </Form.Item>
          <Form.Item label={t('sv.report.attachments')}>
            <input
              type="file"
              multiple
              accept="image/jpeg,image/png,image/webp,application/pdf"
              onChange={(e) => setFiles([...(e.target.files ?? [])].slice(0, 5))}
            />
          </Form.Item>
          <Button type="primary" htmlType="submit" size="large" block loading={submit.isPending}>
            {submit.isPending ? t('sv.report.verifying') : t('sv.report.submit')}
          </Button>
        </Form>
      </Card>
    </PublicShell>
  );
}

interface Tracked {
  status: string;
  category: string;
  subjectText: string;
  createdAt: string;
  reply: string | null;
  messages: { id: string; author: 'officer' | 'reporter'; body: string; createdAt: string }[];
}

const order = ['received', 'triaged', 'assigned', 'investigating', 'replied', 'closed'];

/** The reporter follows the case by its code and writes to the officer, without saying who they are. */
export function TrackReportPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [params, setParams] = useSearchParams();
  const code = params.get('code') ?? '';
  const [input, setInput] = useState(code);
  const [text, setText] = useState('');
  const q = useQuery({
    queryKey: ['track', code],
    queryFn: () => api.get<Tracked>(`/api/public/reports/${encodeURIComponent(code)}`),
    enabled: code.length >= 4,
    retry: false,
  });
  const send = useMutation({
    mutationFn: () =>
      api.post(`/api/public/reports/${encodeURIComponent(code)}/messages`, { body: text.trim() }),
    onSuccess: () => {
      setText('');
      void qc.invalidateQueries({ queryKey: ['track', code] });
    },
    onError: (e) => message.error(errorText(e)),
  });
  return (
    <PublicShell>
      <Card
        title={t('sv.report.trackTitle')}
        extra={<Link to="/12350">{t('sv.report.newReport')}</Link>}
      >
        <Space.Compact style={{ width: '100%', marginBottom: 12 }}>
          <Input
            aria-label={t('sv.report.enterCode')}
            placeholder={t('sv.report.enterCode')}
            value={input}
            onChange={(e) => setInput(e.target.value.toUpperCase())}
          />
          <Button type="primary" onClick={() => setParams({ code: input.trim() })}>
            {t('sv.report.track')}
          </Button>
        </Space.Compact>
        {q.error && <Alert type="error" showIcon message={errorText(q.error)} />}
        {q.data && (
          <Space direction="vertical" style={{ width: '100%' }}>
            <Steps
              size="small"
              direction="vertical"
              current={order.indexOf(q.data.status)}
              items={order.map((s) => ({ title: t(`sv.report.statuses.${s}`) }))}
            />
            <Typography.Text data-testid="track-status" data-status={q.data.status}>
              {q.data.subjectText} · {t(`sv.report.categories.${q.data.category}`)} ·{' '}
              {fmtTime(q.data.createdAt)}
            </Typography.Text>
            {q.data.reply && (
              <Alert type="success" message={t('sv.report.reply')} description={q.data.reply} />
            )}
            <List
              header={t('sv.report.messages')}
              size="small"
              dataSource={q.data.messages}
              renderItem={(m) => (
                <List.Item>
                  <Typography.Text type="secondary">
                    {t(`sv.report.author.${m.author}`)} {fmtTime(m.createdAt)}
                  </Typography.Text>
                  ：{m.body}
                </List.Item>
              )}
            />
            {q.data.status !== 'closed' && (
              <>
                <Input.TextArea
                  value={text}
                  onChange={(e) => setText(e.target.value)}
                  autoSize={{ minRows: 2 }}
                />
                <Button
                  disabled={!text.trim()}
                  loading={send.isPending}
                  onClick={() => send.mutate()}
                >
                  {t('sv.report.send')}
                </Button>
              </>
            )}
          </Space>
        )}
      </Card>
    </PublicShell>
  );
}
