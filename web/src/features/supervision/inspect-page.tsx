import {
  CameraOutlined,
  CheckCircleOutlined,
  CloudOutlined,
  DisconnectOutlined,
  LeftOutlined,
  LockOutlined,
} from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Empty,
  Image,
  Input,
  List,
  Radio,
  Space,
  Spin,
  Tag,
  Typography,
} from 'antd';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { api } from '../../lib/api-client';
import {
  enqueue,
  flushQueue,
  loadQueue,
  type QueuedOp,
  resolvePhoto,
  saveQueue,
} from './inspection-queue';
import {
  errorText,
  fileUrl,
  fmtTime,
  type InspectionDetail,
  type InspectionItem,
  InspectionStatusTag,
  SeverityTag,
  shrinkPhoto,
} from './shared';
import { SignaturePad } from './signature-pad';
import { SpotExamCard } from './spot-exam-card';

const RETRY_MS = 3_000;

interface Draft {
  result: 'pass' | 'fail' | 'na' | null;
  note: string;
  photos: string[];
}

/**
 * The inspection on the inspector's phone: the checklist item by item with the platform's evidence
 * beside each item, pass / fail / not applicable, a photo from the camera or a note on a failure,
 * then the inspected party signs on the screen and the record locks. Everything entered goes
 * through a queue kept on the phone (inspection-queue.ts), so a dead spot on site loses nothing.
 */
export function InspectPage() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const query = useQuery({
    queryKey: ['inspection', id],
    queryFn: () => api.get<InspectionDetail>(`/api/supervision/inspections/${id}`),
    retry: 1,
  });
  const insp = query.data;
  const store = useRef(loadQueue(id));
  const [pending, setPending] = useState(store.current.ops.length);
  const [net, setNet] = useState<'saved' | 'saving' | 'offline'>('saved');
  const [drafts, setDrafts] = useState<Map<number, Draft>>(new Map());
  // The latest drafts for handlers that finish later (a photo being shrunk while a note is typed).
  const draftsRef = useRef(drafts);
  const putDrafts = useCallback((m: Map<number, Draft>) => {
    draftsRef.current = m;
    setDrafts(m);
  }, []);
  const [starting, setStarting] = useState(false);
  const flushing = useRef<Promise<void> | null>(null);
  const dirty = useRef(new Set<number>());

  const setStore = useCallback(
    (s: typeof store.current) => {
      store.current = s;
      saveQueue(id, s);
      setPending(s.ops.length);
    },
    [id],
  );

  // The server's answers, with what is still queued on the phone on top.
  useEffect(() => {
    if (!insp) return;
    const m = new Map<number, Draft>();
    for (const it of insp.items)
      m.set(it.position, { result: it.result, note: it.note ?? '', photos: it.photoSha256s });
    for (const op of store.current.ops)
      if (op.kind === 'item')
        m.set(op.position, { result: op.result, note: op.note ?? '', photos: op.photos });
    // What is typed but not queued yet (a note being written, a fail awaiting its photo) stays.
    for (const k of dirty.current)
      if (draftsRef.current.has(k)) m.set(k, draftsRef.current.get(k)!);
    putDrafts(m);
  }, [insp, putDrafts]);

  const flush = useCallback((): Promise<void> => {
    if (flushing.current) return flushing.current;
    if (store.current.ops.length === 0) return Promise.resolve();
    const run = (async () => {
      setNet('saving');
      const out = await flushQueue(id, () => store.current, setStore);
      if (out.kind === 'offline') {
        setNet('offline');
        return;
      }
      setNet('saved');
      if (out.kind === 'refused') message.error(out.error.message);
      await qc.invalidateQueries({ queryKey: ['inspection', id] });
    })().finally(() => {
      flushing.current = null;
    });
    flushing.current = run;
    return run;
  }, [id, message, qc, setStore]);

  useEffect(() => {
    void flush();
    const timer = setInterval(() => {
      if (store.current.ops.length > 0) void flush();
    }, RETRY_MS);
    const online = () => void flush();
    window.addEventListener('online', online);
    return () => {
      clearInterval(timer);
      window.removeEventListener('online', online);
    };
  }, [flush]);

  const queue = (op: QueuedOp) => {
    setStore(enqueue(store.current, op));
    void flush();
  };

  const localPhotos = new Map<string, string>();
  for (const op of store.current.ops)
    if (op.kind === 'photo')
      localPhotos.set(op.localId, `data:${op.contentType};base64,${op.base64}`);

  if (query.isLoading) return <Spin style={{ display: 'block', margin: '20vh auto' }} />;
  if (query.error || !insp) return <Alert type="error" showIcon message={errorText(query.error)} />;

  const fileOfSha = new Map(insp.photos.map((p) => [p.sha256, p.id]));
  const photoSrc = (ref: string) => {
    if (localPhotos.has(ref)) return localPhotos.get(ref)!;
    const sha = resolvePhoto(store.current, ref);
    const fileId = sha ? fileOfSha.get(sha) : undefined;
    return fileId ? fileUrl(fileId) : undefined;
  };

  const draftOf = (position: number): Draft =>
    draftsRef.current.get(position) ?? { result: null, note: '', photos: [] };
  const setDraft = (position: number, next: Draft) =>
    putDrafts(new Map(draftsRef.current).set(position, next));
  /** Changes an item's draft from its latest state, and queues it when it can be sent. */
  const answer = (it: InspectionItem, patch: Partial<Draft> | ((d: Draft) => Partial<Draft>)) => {
    const cur = draftOf(it.position);
    const next = { ...cur, ...(typeof patch === 'function' ? patch(cur) : patch) };
    setDraft(it.position, next);
    dirty.current.add(it.position);
    if (!next.result) return;
    // A failed item waits for its photo or note before it is sent (the server would refuse it).
    if (next.result === 'fail' && !next.note.trim() && next.photos.length === 0) return;
    dirty.current.delete(it.position);
    queue({
      kind: 'item',
      position: it.position,
      result: next.result,
      note: next.note.trim() || null,
      photos: next.photos,
    });
  };

  const addPhoto = async (it: InspectionItem, file: File) => {
    const shrunk = await shrinkPhoto(file);
    const localId = `local:${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
    setStore(
      enqueue(store.current, {
        kind: 'photo',
        localId,
        base64: shrunk.base64,
        contentType: shrunk.contentType,
        name: `第${it.position}项-${file.name || 'photo.jpg'}`,
      }),
    );
    answer(it, (d) => ({ result: d.result ?? 'fail', photos: [...d.photos, localId] }));
  };

  const readOnly = insp.status === 'signed' || !insp.canEdit;
  const signQueued = store.current.ops.some((o) => o.kind === 'sign');
  const done = insp.items.filter((i) => {
    const d = drafts.get(i.position);
    return d?.result && !(d.result === 'fail' && !d.note.trim() && d.photos.length === 0);
  }).length;

  const start = async () => {
    setStarting(true);
    try {
      await api.post(`/api/supervision/inspections/${id}/start`);
      await qc.invalidateQueries({ queryKey: ['inspection', id] });
    } catch (e) {
      message.error(errorText(e));
    } finally {
      setStarting(false);
    }
  };

  return (
    <div style={{ maxWidth: 720, margin: '0 auto' }} data-testid="inspect-page">
      <Space style={{ marginBottom: 8 }} wrap>
        <Link to="/inspect">
          <Button icon={<LeftOutlined />} type="text">
            {t('sv.back')}
          </Button>
        </Link>
        <InspectionStatusTag status={insp.status} />
      </Space>
      <Typography.Title level={4} style={{ marginTop: 0 }}>
        {insp.organizationName}
      </Typography.Title>
      <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>
        {insp.scheduledOn} · {insp.templateName}（{t('sv.version', { v: insp.templateVersion })}）
        <br />
        {t('sv.inspectors')}：{insp.inspectors.map((p) => p.name).join('、')}
      </Typography.Paragraph>

      {!readOnly && (
        <div
          style={{
            position: 'sticky',
            top: 0,
            zIndex: 5,
            background: '#fff',
            padding: '6px 0',
            borderBottom: '1px solid #f0f0f0',
            marginBottom: 8,
          }}
        >
          <Space wrap>
            <Tag color={done === insp.items.length ? 'green' : 'blue'}>
              {t('sv.progress', { done, total: insp.items.length })}
            </Tag>
            {net === 'offline' ? (
              <Tag
                icon={<DisconnectOutlined />}
                color="red"
                data-testid="net-state"
                data-state="offline"
              >
                {t('sv.offline', { count: pending })}
              </Tag>
            ) : pending > 0 || net === 'saving' ? (
              <Tag
                icon={<CloudOutlined />}
                color="blue"
                data-testid="net-state"
                data-state="saving"
              >
                {t('sv.pending', { count: pending })}
              </Tag>
            ) : (
              <Tag
                icon={<CheckCircleOutlined />}
                color="green"
                data-testid="net-state"
                data-state="saved"
              >
                {t('sv.saved')}
              </Tag>
            )}
          </Space>
        </div>
      )}

      {insp.status === 'signed' && (
        <Alert
          type="success"
          showIcon
          icon={<LockOutlined />}
          style={{ marginBottom: 8 }}
          data-testid="inspection-locked"
          message={t('sv.locked', { at: fmtTime(insp.signedAt!), name: insp.signerName })}
        />
      )}

      {insp.status === 'scheduled' && insp.canEdit && (
        <Button
          type="primary"
          size="large"
          block
          loading={starting}
          onClick={start}
          style={{ marginBottom: 12 }}
        >
          {t('sv.openInspection')}
        </Button>
      )}

      {insp.items.map((it) => {
        const d = drafts.get(it.position) ?? { result: null, note: '', photos: [] };
        const needsEvidence = d.result === 'fail' && !d.note.trim() && d.photos.length === 0;
        return (
          <Card
            key={it.position}
            size="small"
            style={{ marginBottom: 8 }}
            data-testid="inspection-item"
            data-position={it.position}
            title={
              <Space size={4} wrap>
                <span>{t('sv.item', { n: it.position })}</span>
                <SeverityTag severity={it.severity} />
              </Space>
            }
          >
            <Typography.Paragraph style={{ marginBottom: 4 }}>{it.text}</Typography.Paragraph>
            <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginBottom: 8 }}>
              {t('sv.basis')}：{it.basis}
            </Typography.Paragraph>
            {it.prefill?.summary && (
              <Alert
                type={
                  it.prefill.suggestion === 'fail'
                    ? 'warning'
                    : it.prefill.suggestion === 'pass'
                      ? 'success'
                      : 'info'
                }
                style={{ marginBottom: 8 }}
                data-testid="prefill"
                message={`${t('sv.prefill')}：${t(`sv.prefillSuggest.${it.prefill.suggestion}`)}`}
                description={
                  <>
                    <div>{it.prefill.summary}</div>
                    {it.prefill.evidence.length > 0 && (
                      <ul style={{ margin: '4px 0 0', paddingLeft: 18 }}>
                        {it.prefill.evidence.slice(0, 8).map((e) => (
                          <li key={`${e.kind}:${e.id}`}>{e.label ?? e.id}</li>
                        ))}
                      </ul>
                    )}
                    {!readOnly && it.prefill.suggestion !== 'unknown' && !d.result && (
                      <Button
                        size="small"
                        style={{ marginTop: 6 }}
                        onClick={() =>
                          answer(it, {
                            result: it.prefill!.suggestion as 'pass' | 'fail',
                            note:
                              it.prefill!.suggestion === 'fail' && !d.note
                                ? it.prefill!.summary.slice(0, 1900)
                                : d.note,
                          })
                        }
                      >
                        {t('sv.confirmPrefill')}
                      </Button>
                    )}
                  </>
                }
              />
            )}
            <Radio.Group
              value={d.result}
              disabled={readOnly}
              optionType="button"
              buttonStyle="solid"
              style={{ display: 'flex' }}
              onChange={(e) => answer(it, { result: e.target.value })}
            >
              {(['pass', 'fail', 'na'] as const).map((r) => (
                <Radio.Button
                  key={r}
                  value={r}
                  style={{ flex: 1, textAlign: 'center', height: 40, lineHeight: '38px' }}
                >
                  {t(`sv.result.${r}`)}
                </Radio.Button>
              ))}
            </Radio.Group>
            {(d.result === 'fail' || d.note || d.photos.length > 0) && (
              <div style={{ marginTop: 8 }}>
                <Input.TextArea
                  aria-label={t('sv.note')}
                  placeholder={t('sv.notePlaceholder')}
                  autoSize={{ minRows: 2, maxRows: 6 }}
                  value={d.note}
                  disabled={readOnly}
                  maxLength={2000}
                  onChange={(e) => {
                    dirty.current.add(it.position);
                    setDraft(it.position, { ...draftOf(it.position), note: e.target.value });
                  }}
                  onBlur={() => answer(it, {})}
                />
                <Space wrap style={{ marginTop: 8 }}>
                  {d.photos.map((p) => {
                    const src = photoSrc(p);
                    return src ? (
                      <Image
                        key={p}
                        src={src}
                        width={72}
                        height={72}
                        style={{ objectFit: 'cover' }}
                      />
                    ) : (
                      <Tag key={p}>{t('sv.photos')}</Tag>
                    );
                  })}
                  {!readOnly && (
                    <label
                      className="ant-btn ant-btn-default"
                      style={{
                        display: 'inline-flex',
                        alignItems: 'center',
                        gap: 6,
                        height: 40,
                        padding: '0 12px',
                        cursor: 'pointer',
                      }}
                    >
                      <CameraOutlined />
                      {t('sv.photo')}
                      <input
                        type="file"
                        accept="image/*"
                        capture="environment"
                        data-testid={`photo-input-${it.position}`}
                        style={{ display: 'none' }}
                        onChange={(e) => {
                          const f = e.target.files?.[0];
                          e.target.value = '';
                          if (f) void addPhoto(it, f);
                        }}
                      />
                    </label>
                  )}
                </Space>
                {needsEvidence && !readOnly && (
                  <Alert
                    type="error"
                    showIcon
                    style={{ marginTop: 8 }}
                    message={t('sv.evidenceRequired')}
                  />
                )}
              </div>
            )}
          </Card>
        );
      })}

      {(insp.spotExams.length > 0 || (insp.canEdit && insp.status === 'in_progress')) && (
        <SpotExamCard
          inspectionId={insp.id}
          spotExamIds={insp.spotExams.map((x) => x.id)}
          editable={insp.canEdit && insp.status === 'in_progress'}
        />
      )}

      {insp.status === 'signed' ? (
        <Card size="small" title={t('sv.findings')} data-testid="inspection-findings">
          {insp.findings.length === 0 ? (
            <Empty description={t('sv.noFindings')} image={Empty.PRESENTED_IMAGE_SIMPLE} />
          ) : (
            <List
              dataSource={insp.findings}
              renderItem={(f) => (
                <List.Item>
                  <Space direction="vertical" size={2}>
                    <Space size={4}>
                      <SeverityTag severity={f.severity} />
                    </Space>
                    <span>{f.message}</span>
                  </Space>
                </List.Item>
              )}
            />
          )}
        </Card>
      ) : (
        insp.canEdit &&
        insp.status !== 'scheduled' && (
          <SignCard
            disabled={done < insp.items.length || signQueued}
            remaining={insp.items.length - done}
            queued={signQueued}
            onSign={(signerName, png, summary) =>
              queue({ kind: 'sign', signerName, signaturePngBase64: png, summary })
            }
          />
        )
      )}
    </div>
  );
}

function SignCard({
  disabled,
  remaining,
  queued,
  onSign,
}: {
  disabled: boolean;
  remaining: number;
  queued: boolean;
  onSign: (name: string, png: string, summary?: string) => void;
}) {
  const { t } = useTranslation();
  const { modal } = App.useApp();
  const [name, setName] = useState('');
  const [summary, setSummary] = useState('');
  const [png, setPng] = useState<string | null>(null);
  return (
    <Card size="small" title={t('sv.sign')} style={{ marginTop: 12 }} data-testid="sign-card">
      {remaining > 0 && (
        <Alert
          type="info"
          showIcon
          style={{ marginBottom: 8 }}
          message={t('sv.unanswered', { count: remaining })}
        />
      )}
      <Space direction="vertical" style={{ width: '100%' }}>
        <Input.TextArea
          aria-label={t('sv.summary')}
          placeholder={t('sv.summary')}
          value={summary}
          autoSize={{ minRows: 2 }}
          onChange={(e) => setSummary(e.target.value)}
        />
        <Input
          aria-label={t('sv.signerName')}
          placeholder={t('sv.signerName')}
          value={name}
          size="large"
          onChange={(e) => setName(e.target.value)}
        />
        <SignaturePad onChange={setPng} />
        <Button
          type="primary"
          size="large"
          block
          icon={<LockOutlined />}
          disabled={disabled || !name.trim() || !png}
          loading={queued}
          onClick={() =>
            modal.confirm({
              title: t('sv.signAndLock'),
              content: t('sv.signConfirm'),
              onOk: () => onSign(name.trim(), png!, summary.trim() || undefined),
            })
          }
        >
          {t('sv.signAndLock')}
        </Button>
      </Space>
    </Card>
  );
}
